import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BackendUnavailableError } from '../../errors.ts'
import { runStateContract } from '../../state/state.contract.ts'
import { connectClient, createCommandClient } from './redis-client.ts'
import { createRedisStateStore } from './redis-state.ts'
import { redisUrl, removeKeys, uniquePrefix } from './redis-test-support.ts'

describe.skipIf(!redisUrl)('redis state store', () => {
  const url = redisUrl ?? ''
  const prefixes: string[] = []
  let client: Redis
  beforeAll(async () => {
    client = createCommandClient(url)
    await connectClient(client, url)
  })
  afterAll(async () => {
    for (const prefix of prefixes) await removeKeys(client, prefix)
    await client.quit()
  })
  const open = () => {
    const prefix = uniquePrefix('state')
    prefixes.push(prefix)
    return createRedisStateStore({ client, url, prefix })
  }

  runStateContract('contract', open)

  it('shares state between two stores on one Redis, as two processes of a cluster would', async () => {
    const prefix = uniquePrefix('state-shared')
    prefixes.push(prefix)
    const other = createCommandClient(url)
    await connectClient(other, url)
    const writer = createRedisStateStore({ client, url, prefix })
    const reader = createRedisStateStore({ client: other, url, prefix })
    await writer.set('orders', 'o1', { total: 12 })
    expect(await reader.get('orders', 'o1')).toEqual({ total: 12 })
    expect(await reader.groups()).toEqual(['orders'])
    await reader.delete('orders', 'o1')
    expect(await writer.groups()).toEqual([])
    await other.quit()
  })

  it('pages a group written before its key index existed, indexing it once', async () => {
    const prefix = uniquePrefix('state-unindexed')
    prefixes.push(prefix)
    await client.hset(`${prefix}:state:old`, 'b', '"2"', 'a', '"1"', 'c', '"3"')
    await client.sadd(`${prefix}:state-groups`, 'old')
    const store = createRedisStateStore({ client, url, prefix })
    const first = await store.entriesPage('old', { limit: 2 })
    expect(first).toEqual({ items: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], nextCursor: 'b' })
    expect(await store.entriesPage('old', { limit: 2, cursor: 'b' })).toEqual({ items: [{ key: 'c', value: '3' }], nextCursor: null })
  })

  it('fails a call at once with a 503-kind error naming Redis while the connection is down', async () => {
    const lost = createCommandClient(url)
    await connectClient(lost, url)
    const store = createRedisStateStore({ client: lost, url, prefix: uniquePrefix('state-down') })
    lost.disconnect(false)
    const started = Date.now()
    const error = await store.set('orders', 'o1', 1).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BackendUnavailableError)
    expect((error as Error).message).toMatch(/Redis at redis:\/\/.* is unreachable .*"o1" in group "orders" was not written/)
    expect(Date.now() - started).toBeLessThan(1_000)
  })
})
