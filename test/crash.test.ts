import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job, JobAttemptError, JobStats } from '../src/queue/queue.ts'
import { eventually, runCli, type ServerProcess, spawnServer } from './helpers/spawn-cli.ts'
import { copyFixture } from './helpers/start-fixture.ts'
import { readStateGroup } from './helpers/read-state-group.ts'

const events = 5_000
const step = 'RecordItem'

async function getJson<T>(server: ServerProcess, path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`)
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`)
  return (await response.json()) as T
}

async function postJson(server: ServerProcess, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

const stepStats = async (server: ServerProcess, name = step) =>
  (await getJson<JobStats>(server, '/__motia/jobs/stats')).byStep[name] ?? {}

let project: ReturnType<typeof copyFixture>
const servers: ServerProcess[] = []
beforeAll(() => {
  project = copyFixture('crash')
})
afterAll(async () => {
  const running = servers.filter(({ child }) => child.exitCode === null && child.signalCode === null)
  await Promise.allSettled(running.map((server) => server.stop('SIGKILL')))
  project.remove()
})

describe('a server killed with SIGKILL in the middle of its jobs', () => {
  it('loses no event and, with an idempotent handler, records none twice after a restart', async () => {
    const first = await spawnServer('start', project.dir)
    servers.push(first)
    const posted = await fetch(`${first.url}/fanout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: events }),
    })
    expect(posted.status).toBe(202)
    const atKill = await eventually(async () => {
      const counts = await stepStats(first)
      return (counts.completed ?? 0) >= 200 ? counts : undefined
    }, 60_000)
    await first.stop('SIGKILL')
    expect(atKill.completed).toBeLessThan(events)

    const second = await spawnServer('start', project.dir)
    servers.push(second)
    const settled = await eventually(async () => {
      const counts = await stepStats(second)
      return counts.completed === events ? counts : undefined
    }, 60_000)
    expect(settled).toEqual({ completed: events })

    const processed = { items: await readStateGroup(second.url, 'processed') }
    expect(processed.items).toHaveLength(events)
    expect(new Set(processed.items.map((item) => item.key))).toEqual(new Set(Array.from({ length: events }, (_, id) => String(id))))
    const deliveries = { items: await readStateGroup(second.url, 'deliveries') }
    expect(deliveries.items.length).toBeGreaterThanOrEqual(events)

    const resumed: Job[] = []
    for (let offset = 0; offset < events; offset += 1_000) {
      const page = await getJson<{ jobs: Job[] }>(second, `/__motia/jobs?step=${step}&limit=1000&offset=${offset}`)
      resumed.push(...page.jobs.filter((job) => job.errors.some((error) => /process stopped/.test(error.message))))
    }
    // Jobs running at the kill ran again after the restart, their cut-off attempt not counted.
    expect(resumed.length).toBeGreaterThan(0)
    for (const job of resumed) expect(job).toMatchObject({ status: 'completed', attempts: 1 })

    expect(await second.stop()).toBe(0)
  }, 150_000)
})

describe('the dead-letter queue across a restart', () => {
  it('keeps dead jobs with their stacks, hides the stacks over HTTP, and replays them singly and in bulk', async () => {
    const first = await spawnServer('start', project.dir)
    servers.push(first)
    for (const id of ['a', 'b', 'c']) {
      expect((await postJson(first, '/emit', { topic: 'crash.flaky', data: { id } })).status).toBe(200)
    }
    await eventually(async () => ((await stepStats(first, 'Flaky')).dead === 3 ? true : undefined), 30_000)
    await first.stop('SIGKILL')

    const db = new BetterSqlite3(join(project.dir, '.motia-like', 'data.db'), { readonly: true })
    const stored = db.prepare(`SELECT errors FROM jobs WHERE step = 'Flaky' AND status = 'dead'`).pluck().all() as string[]
    db.close()
    expect(stored).toHaveLength(3)
    for (const errors of stored) {
      expect(JSON.parse(errors)).toEqual([expect.objectContaining({ message: expect.stringMatching(/downstream is down/), stack: expect.any(String) })])
    }

    const second = await spawnServer('start', project.dir)
    servers.push(second)
    const { jobs } = await getJson<{ jobs: Job[] }>(second, '/__motia/jobs?status=dead&step=Flaky')
    expect(jobs.map((job) => (job.data as { id: string }).id).sort()).toEqual(['a', 'b', 'c'])
    for (const job of jobs) {
      expect(job.errors).toHaveLength(1)
      expect((job.errors[0] as JobAttemptError).stack).toBeUndefined()
    }
    expect((await postJson(second, '/__motia/jobs/retry', { status: 'completed' })).status).toBe(400)
    expect(await postJson(second, '/heal', {})).toMatchObject({ status: 200 })

    const port = new URL(second.url).port
    const [one] = jobs
    const single = await runCli(['jobs', 'retry', one?.id ?? '', '--port', port], project.dir)
    expect(single.code).toBe(0)
    expect(single.stdout).toContain(one?.id)
    const bulk = await runCli(['jobs', 'retry', '--all', '--step', 'Flaky', '--status', 'dead', '--port', port], project.dir)
    expect(bulk).toMatchObject({ code: 0, stdout: 'Retried 2 dead job(s).\n' })
    await eventually(async () => ((await stepStats(second, 'Flaky')).completed === 3 ? true : undefined), 30_000)
    const healed = await getJson<{ items: Array<{ key: string }> }>(second, '/__motia/state/healed')
    expect(healed.items.map((item) => item.key).sort()).toEqual(['a', 'b', 'c'])
    expect(await postJson(second, '/__motia/jobs/retry', {})).toEqual({ status: 200, body: { retried: 0 } })
    const both = await runCli(['jobs', 'retry', 'some-id', '--all', '--port', port], project.dir)
    expect(both.code).toBe(1)
    expect(both.stderr).toMatch(/either a job id \("some-id"\) or --all/)

    expect(await second.stop()).toBe(0)
  }, 90_000)
})

describe('a graceful shutdown', () => {
  it('gives running jobs MOTIA_SHUTDOWN_GRACE_MS, then leaves them pending for the next start', async () => {
    process.env['MOTIA_SHUTDOWN_GRACE_MS'] = '300'
    const first = await spawnServer('start', project.dir).finally(() => {
      delete process.env['MOTIA_SHUTDOWN_GRACE_MS']
    })
    servers.push(first)
    expect((await postJson(first, '/emit', { topic: 'crash.hang', data: { id: 'h1' } })).status).toBe(200)
    await eventually(async () => ((await stepStats(first, 'HangOnce')).running === 1 ? true : undefined), 30_000)
    const stopping = Date.now()
    expect(await first.stop('SIGTERM')).toBe(0)
    // The default grace is 10 s.
    expect(Date.now() - stopping).toBeLessThan(8_000)

    const second = await spawnServer('start', project.dir)
    servers.push(second)
    await eventually(async () => ((await stepStats(second, 'HangOnce')).completed === 1 ? true : undefined), 30_000)
    const { jobs } = await getJson<{ jobs: Job[] }>(second, '/__motia/jobs?step=HangOnce')
    // A job cut off by a shutdown is not a failure: no error, and the cut-off attempt does not count.
    expect(jobs).toEqual([expect.objectContaining({ status: 'completed', attempts: 1, errors: [] })])
    expect(await second.stop()).toBe(0)
  }, 90_000)
})

describe('two servers on one project', () => {
  it('refuses the second: one process owns the data file, so no job can run twice', async () => {
    const first = await spawnServer('start', project.dir)
    servers.push(first)
    const second = await runCli(['start', '--port', '0', '--dir', project.dir], project.dir)
    expect(second.code).toBe(1)
    expect(second.stderr).toContain(join(project.dir, '.motia-like', 'data.db'))
    expect(second.stderr).toMatch(/in use by another process\. Stop the other motia-like server/)
    expect((await fetch(`${first.url}/__motia/health`)).status).toBe(200)
    expect(await first.stop()).toBe(0)
  }, 60_000)
})
