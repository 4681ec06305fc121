import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectClient, createCommandClient } from './redis-client.ts'
import { createRedisCronLock } from './redis-cron-lock.ts'
import { redisUrl, removeKeys, uniquePrefix } from './redis-test-support.ts'

describe.skipIf(!redisUrl)('redis cron lock', () => {
  const url = redisUrl ?? ''
  const prefix = uniquePrefix('cron')
  const clients: Redis[] = []
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const client = createCommandClient(url)
      await connectClient(client, url)
      clients.push(client)
    }
  })
  afterAll(async () => {
    await removeKeys(clients[0] as Redis, prefix)
    await Promise.all(clients.map((client) => client.quit()))
  })

  it('lets exactly one of several processes run each tick, for every tick and step', async () => {
    const locks = clients.map((client) => createRedisCronLock({ client, prefix }))
    const tickAt = Date.now()
    for (const [step, at] of [['Cleanup', tickAt], ['Cleanup', tickAt + 60_000], ['Report', tickAt]] as const) {
      const winners = await Promise.all(locks.map((lock) => lock.acquire(step, at)))
      expect(winners.filter(Boolean)).toHaveLength(1)
    }
    expect(await locks[0]?.acquire('Cleanup', tickAt)).toBe(false)
  })

  it('frees a tick key after keepMs, so Redis does not fill up with old ticks', async () => {
    const client = clients[0] as Redis
    const lock = createRedisCronLock({ client, prefix, keepMs: 60_000 })
    await lock.acquire('Expiring', 1)
    const ttl = await client.pttl(`${prefix}:cron:Expiring:1`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(60_000)
  })

  it('keeps the ticks of one step from overlapping across processes, and frees the claim when released', async () => {
    const [first, second] = clients.map((client) => createRedisCronLock({ client, prefix }))
    const release = await first?.begin('Report')
    expect(release).toBeTypeOf('function')
    expect(await second?.begin('Report')).toBeNull()
    expect(await second?.begin('OtherStep')).toBeTypeOf('function')
    await release?.()
    const next = await second?.begin('Report')
    expect(next).toBeTypeOf('function')
    await next?.()
  })

  it('frees the claim of a process that died while its tick ran, once the lease runs out', async () => {
    const dying = createCommandClient(url)
    await connectClient(dying, url)
    const lease = 300
    expect(await createRedisCronLock({ client: dying, prefix, runningLeaseMs: lease }).begin('Orphaned')).toBeTypeOf('function')
    dying.disconnect(false)
    const survivor = createRedisCronLock({ client: clients[1] as Redis, prefix })
    expect(await survivor.begin('Orphaned')).toBeNull()
    const deadline = Date.now() + 5_000
    let release = await survivor.begin('Orphaned')
    while (!release && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve))
      release = await survivor.begin('Orphaned')
    }
    expect(release).toBeTypeOf('function')
    await release?.()
  })
})
