import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../src/queue/queue.ts'
import { eventually, runCli } from './helpers/spawn-cli.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

const repoRoot = resolve(import.meta.dirname, '..')
let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('flow'))
})
afterAll(() => app.close())

const jobsOf = async (step: string): Promise<Job[]> => (await app.json<{ jobs: Job[] }>(`/__motia/jobs?step=${step}`)).body.jobs

describe('flow control over HTTP and the CLI', () => {
  it('pauses a step over HTTP: its jobs wait as paused, and all run after resume', async () => {
    const paused = await app.json('/__motia/queues/Work/pause', { method: 'POST' })
    expect(paused).toMatchObject({ status: 200, body: { step: 'Work', paused: true } })
    expect((await app.json('/__motia/queues')).body).toEqual({ paused: ['Work'] })
    await app.runtime.emit({ topic: 'work.item', data: { n: 1 } })
    await app.runtime.emit({ topic: 'work.item', data: { n: 2 } })
    const held = await jobsOf('Work')
    expect(held.map((job) => [job.status, job.wait])).toEqual([
      ['pending', { reason: 'paused', until: null }],
      ['pending', { reason: 'paused', until: null }],
    ])
    expect(await app.runtime.state.getGroup('work')).toEqual([])
    expect((await app.json('/__motia/queues/Work/resume', { method: 'POST' })).body).toEqual({ step: 'Work', paused: false })
    await app.runtime.queue.drain()
    expect((await jobsOf('Work')).map((job) => job.status)).toEqual(['completed', 'completed'])
  })

  it('answers 404 naming the fix for a step that has no queue', async () => {
    const missing = await app.json<{ error: string }>('/__motia/queues/Nope/pause', { method: 'POST' })
    expect(missing).toMatchObject({ status: 404, body: { error: 'No event step named "Nope". Only event steps have a queue; see GET /__motia/steps.' } })
  })

  it('pauses, lists and resumes from the CLI', async () => {
    const port = new URL(app.url).port
    const paused = await runCli(['queue', 'pause', 'Work', '--port', port], repoRoot)
    expect(paused.stdout).toBe('Paused "Work": its jobs wait (new ones too) until `motia-like queue resume Work`.\n')
    expect((await runCli(['queue', 'list', '--port', port], repoRoot)).stdout).toBe('Paused: Work\n')
    expect((await runCli(['queue', 'resume', 'Work', '--port', port], repoRoot)).stdout).toBe('Resumed "Work".\n')
    expect(await app.runtime.queue.pausedSteps()).toEqual([])
  })

  it('shows in the jobs API and `jobs list` why a job over the rate limit waits and until when', async () => {
    for (let index = 0; index < 3; index += 1) await app.runtime.emit({ topic: 'api.call', data: { index } })
    const waiting = (await jobsOf('CallApi')).filter((job) => job.status === 'pending')
    expect(waiting).toHaveLength(1)
    expect(waiting[0]?.wait?.reason).toBe('rate-limited')
    expect(waiting[0]?.wait?.until).toBeGreaterThan(Date.now() + 59_000)
    const listed = await runCli(['jobs', 'list', '--step', 'CallApi', '--status', 'pending', '--port', new URL(app.url).port], repoRoot)
    expect(listed.stdout).toMatch(/pending \(rate-limited until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)/)
  })

  it('runs a batch step once per batch of one key; each job shows its batchId in the jobs API and `jobs show`', async () => {
    const lines: Array<Record<string, unknown>> = []
    const stop = app.runtime.logger.onLog((entry) => {
      if (entry.step === 'Warehouse') lines.push({ ...entry.meta, traceId: entry.traceId })
    })
    const traces: string[] = []
    for (const [tenant, n] of [['a', 1], ['b', 2], ['a', 3], ['a', 4]] as const) traces.push(await app.runtime.emit({ topic: 'analytics.event', data: { tenant, n } }))
    // Not drain(): a job of the rate-limited step above waits a minute.
    const batches = await eventually(async () => {
      const stored = await app.runtime.state.getGroup<{ ns: number[]; traceId: string }>('warehouse')
      return stored.length === 2 && (await jobsOf('Warehouse')).every((job) => job.status === 'completed') ? stored : undefined
    })
    stop()
    expect(batches.map((batch) => batch.ns).sort()).toEqual([[1, 3, 4], [2]])
    // A batch runs in its first job's trace.
    expect(batches.find((batch) => batch.ns[0] === 1)?.traceId).toBe(traces[0])
    const jobs = await jobsOf('Warehouse')
    const idOf = (n: number): string | undefined => jobs.find((job) => (job.data as { n: number }).n === n)?.batchId
    expect(idOf(1)).toEqual(expect.any(String))
    expect([idOf(3), idOf(4)]).toEqual([idOf(1), idOf(1)])
    expect(idOf(2)).not.toBe(idOf(1))
    expect(lines.map((line) => line['batchId']).sort()).toEqual([idOf(1), idOf(2)].sort())
    const shown = await runCli(['jobs', 'show', jobs[0]?.id ?? '', '--port', new URL(app.url).port], repoRoot)
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: jobs[0]?.id, batchId: jobs[0]?.batchId })
  })
})
