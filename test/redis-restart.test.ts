import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisUrl } from '../src/backends/redis/redis-test-support.ts'
import { eventually, type ServerProcess, spawnServer } from './helpers/spawn-cli.ts'
import { copyFixture } from './helpers/start-fixture.ts'
import { readStateGroup } from './helpers/read-state-group.ts'

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** A Redis of this test's own that writes every command to its append-only file, so a restart keeps what it accepted. */
function startRedis(port: number, dir: string): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], {
    stdio: 'ignore',
  })
}

async function waitForRedis(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  await eventually(async () => {
    await client.connect().catch(() => undefined)
    return (await client.ping()) === 'PONG' ? true : undefined
  }, 10_000)
  client.disconnect()
}

// Runs wherever the Redis tests run; it starts its own redis-server on a free port, so the shared one is untouched.
describe.skipIf(!redisUrl)('a Redis restart in the middle of a run', () => {
  let dir: string
  let port: number
  let redis: ChildProcess
  let project: ReturnType<typeof copyFixture>
  let server: ServerProcess
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motia-like-redis-'))
    port = await freePort()
    redis = startRedis(port, dir)
    await waitForRedis(`redis://127.0.0.1:${port}`)
    project = copyFixture('cluster')
    server = await spawnServer('start', project.dir, [], { MOTIA_REDIS_URL: `redis://127.0.0.1:${port}`, MOTIA_REDIS_LOCK_MS: '2000' })
  })
  afterAll(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) await server.stop('SIGKILL')
    redis.kill('SIGKILL')
    project.remove()
    rmSync(dir, { recursive: true, force: true })
  })

  const send = async (i: number): Promise<{ status: number; error?: string; ms: number }> => {
    const started = Date.now()
    const response = await fetch(`${server.url}/work`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ run: 'restart', i }),
    })
    const body = (await response.json()) as { error?: string }
    return { status: response.status, ms: Date.now() - started, ...(body.error ? { error: body.error } : {}) }
  }

  it('answers 503 while Redis is down, recovers, and loses no job it accepted', async () => {
    const accepted: number[] = []
    let i = 0
    for (; i < 100; i++) if ((await send(i)).status === 202) accepted.push(i)
    expect(accepted).toHaveLength(100)

    const exited = once(redis, 'exit')
    const admin = new Redis(`redis://127.0.0.1:${port}`, { retryStrategy: () => null })
    admin.on('error', () => {})
    // SHUTDOWN writes the append-only file and exits, as a restarted Redis would.
    await admin.call('SHUTDOWN').catch(() => undefined)
    admin.disconnect()
    await exited
    const whileDown = []
    for (let n = 0; n < 20; n++, i++) whileDown.push(await send(i))
    expect(whileDown.every((result) => result.status === 503)).toBe(true)
    expect(whileDown[0]?.error).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable .*the event may not have been queued \(an emit sent again with the same idempotencyKey is queued once\)/)
    expect(Math.max(...whileDown.map((result) => result.ms))).toBeLessThan(2_000)
    // A load balancer sees the node unhealthy while Redis is away, and healthy again after.
    const down = await fetch(`${server.url}/__motia/health`)
    expect(down.status).toBe(503)
    expect(await down.json()).toMatchObject({ status: 'unavailable', backends: [{ name: 'redis', ok: false, error: expect.stringMatching(/127\.0\.0\.1/) }, { name: 'redis (workers)', ok: false }] })

    redis = startRedis(port, dir)
    await waitForRedis(`redis://127.0.0.1:${port}`)
    await eventually(async () => {
      const result = await send(i)
      if (result.status !== 202) return undefined
      accepted.push(i++)
      return true
    }, 20_000)
    for (const end = i + 100; i < end; i++) if ((await send(i)).status === 202) accepted.push(i)
    const up = await eventually(async () => {
      const response = await fetch(`${server.url}/__motia/health`)
      return response.status === 200 ? response.json() : undefined
    }, 10_000)
    expect(up).toMatchObject({ status: 'ok', backends: [{ name: 'redis', ok: true }, { name: 'redis (workers)', ok: true }] })

    const done = await eventually(async () => {
      const items = await readStateGroup<{ i: number }>(server.url, 'done-restart')
      const seen = new Set(items.map((item) => item.value.i))
      return accepted.every((id) => seen.has(id)) ? seen : undefined
    }, 60_000)
    expect(accepted.length).toBeGreaterThanOrEqual(201)
    expect(accepted.filter((id) => !done.has(id))).toEqual([])
    expect(await server.stop()).toBe(0)
  }, 120_000)
})
