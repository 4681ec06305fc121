import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../src/queue/queue.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('runtime'))
})
afterAll(() => app.close())

async function jobsOf(step: string, search?: string): Promise<Job[]> {
  const { body } = await app.json<{ jobs: Job[] }>(`/__motia/jobs?step=${step}${search ? `&search=${search}` : ''}`)
  return body.jobs
}

describe('event steps as jobs', () => {
  it('retries a failing handler with growing backoff, then completes', async () => {
    await app.runtime.emit({ topic: 'flaky.run', data: { id: 'recovers', failTimes: 2 } })
    await app.runtime.queue.drain()
    const [job] = await jobsOf('Flaky', 'recovers')
    expect(job).toMatchObject({ status: 'completed', attempts: 3, maxAttempts: 3 })
    expect(job?.errors.map((error) => error.message)).toEqual(['attempt 1 failed on purpose', 'attempt 2 failed on purpose'])
    const [first, second] = job?.errors ?? []
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(10)
  })

  it('moves a job that keeps failing to the dead-letter queue after maxRetries, and replays it', async () => {
    await app.runtime.emit({ topic: 'flaky.run', data: { id: 'dies', failTimes: 3 } })
    await app.runtime.queue.drain()
    const [dead] = await jobsOf('Flaky', 'dies')
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, lastError: 'attempt 3 failed on purpose' })
    expect(dead?.errors).toHaveLength(3)
    expect(app.logs.some((entry) => entry.level === 'error' && entry.msg.includes(`Job ${dead?.id}`) && entry.msg.includes('dead'))).toBe(true)

    const retried = await app.json<Job>(`/__motia/jobs/${dead?.id}/retry`, { method: 'POST' })
    expect(retried.status).toBe(200)
    await app.runtime.queue.drain()
    const { body } = await app.json<Job>(`/__motia/jobs/${dead?.id}`)
    expect(body.status).toBe('completed')
  })

  it('fails an attempt that runs past its timeout', async () => {
    await app.runtime.emit({ topic: 'slow.run', data: {} })
    await app.runtime.queue.drain()
    const [job] = await jobsOf('Slow')
    expect(job?.status).toBe('dead')
    expect(job?.lastError).toMatch(/did not finish within 0.1 s/)
  })

  it('keeps FIFO order per messageGroupId, across retries', async () => {
    await app.runtime.emit({ topic: 'ordered.item', data: { account: 'a', seq: 1, failFirst: true } })
    await app.runtime.emit({ topic: 'ordered.item', data: { account: 'b', seq: 1 } })
    await app.runtime.emit({ topic: 'ordered.item', data: { account: 'a', seq: 2 } })
    await app.runtime.emit({ topic: 'ordered.item', data: { account: 'a', seq: 3, failFirst: true } })
    await app.runtime.emit({ topic: 'ordered.item', data: { account: 'b', seq: 2 } })
    await app.runtime.queue.drain()
    expect(await app.runtime.state.get('ordered', 'a')).toEqual([1, 2, 3])
    expect(await app.runtime.state.get('ordered', 'b')).toEqual([1, 2])
  })

  it('never runs more jobs of a step at once than its concurrency', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, n) => app.runtime.emit({ topic: 'limited.run', data: { n } })))
    await app.runtime.queue.drain()
    expect(await app.runtime.state.get('limited', 'maxRunning')).toBe(2)
  })

  it('carries one traceId from the API request through a three-step chain', async () => {
    const { status, body } = await app.json<{ traceId: string }>('/orders', {
      method: 'POST',
      body: JSON.stringify({ item: 'lamp', quantity: 1 }),
    })
    expect(status).toBe(201)
    await app.runtime.queue.drain()
    expect(await app.runtime.state.get('traces', 'o-lamp:reserve')).toBe(body.traceId)
    expect(await app.runtime.state.get('traces', 'o-lamp:ship')).toBe(body.traceId)
    const jobs = await app.json<{ jobs: Job[] }>(`/__motia/jobs?traceId=${body.traceId}`)
    expect(jobs.body.jobs.map((job) => job.step).sort()).toEqual(['ReserveStock', 'ShipOrder'])
  })

  it('reports job stats per status and step', async () => {
    const { body } = await app.json<{ byStatus: Record<string, number>; byStep: Record<string, Record<string, number>> }>(
      '/__motia/jobs/stats',
    )
    expect(body.byStatus['dead']).toBeGreaterThanOrEqual(1)
    expect(body.byStep['Slow']).toMatchObject({ dead: 1 })
  })
})

describe('cron steps', () => {
  it('run with a fresh traceId that their emits carry to subscribers', async () => {
    const { status } = await app.json('/__motia/cron/Tick/trigger', { method: 'POST' })
    expect(status).toBe(200)
    await app.runtime.queue.drain()
    expect(await app.runtime.state.get('cron', 'tock')).toEqual({ ticks: 1, sameTrace: true })
    expect(app.runtime.cron.scheduled()).toContainEqual(expect.objectContaining({ step: 'Tick', cron: '0 0 0 1 1 *' }))
  })
})
