import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../src/queue/queue.ts'
import { redisUrl, removeKeys, uniquePrefix } from '../src/backends/redis/redis-test-support.ts'
import { eventually, type ServerProcess, spawnServer } from './helpers/spawn-cli.ts'
import { copyFixture } from './helpers/start-fixture.ts'
import { readStateGroup } from './helpers/read-state-group.ts'

interface Entry<T> {
  key: string
  value: T
}

async function getJson<T>(server: ServerProcess, path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`)
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`)
  return (await response.json()) as T
}

async function post(server: ServerProcess, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

const entriesOf = <T>(server: ServerProcess, group: string): Promise<Array<Entry<T>>> => readStateGroup<T>(server.url, group)

describe.skipIf(!redisUrl)('two motia-like start processes on one Redis', () => {
  const prefix = uniquePrefix('cluster')
  const env = { MOTIA_REDIS_URL: redisUrl ?? '', MOTIA_REDIS_PREFIX: prefix, MOTIA_REDIS_LOCK_MS: '2000' }
  let project: ReturnType<typeof copyFixture>
  let first: ServerProcess
  let second: ServerProcess
  beforeAll(async () => {
    project = copyFixture('cluster')
    ;[first, second] = await Promise.all([spawnServer('start', project.dir, [], env), spawnServer('start', project.dir, [], env)])
  })
  afterAll(async () => {
    const running = [first, second].filter((server) => server && server.child.exitCode === null && server.child.signalCode === null)
    await Promise.allSettled(running.map((server) => server.stop('SIGKILL')))
    const client = new Redis(redisUrl ?? '')
    await removeKeys(client, prefix)
    await client.quit()
    project.remove()
  })

  it('runs on Redis, in two processes', async () => {
    expect(first.output()).toContain(`jobs and state: Redis at ${redisUrl}`)
    const pids = await Promise.all([first, second].map(async (server) => (await getJson<{ pid: number }>(server, '/pid')).pid))
    expect(new Set(pids).size).toBe(2)
  })

  it('shares 2,000 fanned-out events between both processes and runs each exactly once', async () => {
    expect((await post(first, '/fanout', { run: 'quick', count: 2000, work: 'quick' })).status).toBe(202)
    const done = await eventually(async () => {
      const entries = await entriesOf<{ i: number; pid: number }>(second, 'done-quick')
      return entries.length >= 2000 ? entries : undefined
    }, 60_000)
    const runsPerEvent = new Map<number, number>()
    for (const { value } of done) runsPerEvent.set(value.i, (runsPerEvent.get(value.i) ?? 0) + 1)
    expect(runsPerEvent.size).toBe(2000)
    expect([...runsPerEvent.values()].every((runs) => runs === 1)).toBe(true)
    const byPid = new Map<number, number>()
    for (const { value } of done) byPid.set(value.pid, (byPid.get(value.pid) ?? 0) + 1)
    expect(byPid.size).toBe(2)
    for (const count of byPid.values()) expect(count).toBeGreaterThan(100)
    const { jobs, total } = await getJson<{ jobs: Job[]; total: number }>(first, '/__motia/jobs?step=Record&status=completed&limit=1')
    expect(total).toBe(2000)
    expect(jobs[0]?.topic).toBe('cluster.work')
  }, 90_000)

  it('runs every cron tick on exactly one of the two processes', async () => {
    const ticks = await eventually(async () => {
      const entries = await entriesOf<{ period: number; pid: number }>(first, 'ticks')
      return new Set(entries.map((entry) => entry.value.period)).size >= 3 ? entries : undefined
    }, 30_000)
    const periods = ticks.map((entry) => entry.value.period)
    expect(periods.length).toBe(new Set(periods).size)
  }, 40_000)

  it('reads on one process the state another process wrote', async () => {
    expect((await post(first, '/notes', { id: 'n1', text: 'written by the first' })).status).toBe(201)
    const read = await getJson<{ note: { text: string; pid: number }; pid: number }>(second, '/notes/n1')
    expect(read.note.text).toBe('written by the first')
    expect(read.note.pid).not.toBe(read.pid)
  })

  it('holds one rate limit for both processes: no second sees more than 5 starts of the limited step', async () => {
    expect((await post(first, '/limited', { count: 20 })).status).toBe(202)
    const runs = await eventually(async () => {
      const entries = await entriesOf<{ at: number; pid: number }>(second, 'limited-runs')
      return entries.length >= 20 ? entries.map((entry) => entry.value) : undefined
    }, 30_000)
    expect(new Set(runs.map((run) => run.pid)).size).toBe(2)
    const starts = runs.map((run) => run.at).sort((a, b) => a - b)
    // The sixth start after any start comes a full second later (less the time from the check to the handler).
    for (let index = 0; index + 5 < starts.length; index += 1) {
      expect((starts[index + 5] as number) - (starts[index] as number)).toBeGreaterThanOrEqual(1000 - 25)
    }
  }, 40_000)

  it('finishes on the other process the jobs of a process killed with SIGKILL', async () => {
    expect((await post(first, '/fanout', { run: 'slow', count: 60, work: 'slow' })).status).toBe(202)
    await eventually(async () => {
      const entries = await entriesOf<{ pid: number }>(second, 'done-slow')
      return entries.some((entry) => entry.value.pid === first.child.pid) ? true : undefined
    }, 30_000)
    await first.stop('SIGKILL')
    const done = await eventually(async () => {
      const entries = await entriesOf<{ i: number; pid: number }>(second, 'done-slow')
      return new Set(entries.map((entry) => entry.value.i)).size === 60 ? entries : undefined
    }, 60_000)
    expect(done.some((entry) => entry.value.pid === second.child.pid)).toBe(true)
    const settled = await eventually(async () => {
      const stats = await getJson<{ byStep: Record<string, Record<string, number>> }>(second, '/__motia/jobs/stats')
      const record = stats.byStep['Record'] ?? {}
      return (record['completed'] ?? 0) === 2060 ? record : undefined
    }, 30_000)
    expect(settled).toEqual({ completed: 2060 })
  }, 120_000)
})
