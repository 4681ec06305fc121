import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StreamChange } from '../../streams/stream-store.ts'
import { runStreamStoreContract } from '../../streams/stream-store.contract.ts'
import { connectClient, createCommandClient, createWorkerClient } from './redis-client.ts'
import { createRedisStreamStore } from './redis-streams.ts'
import { redisUrl, removeKeys, uniquePrefix } from './redis-test-support.ts'

describe.skipIf(!redisUrl)('redis stream store', () => {
  const url = redisUrl ?? ''
  const prefixes: string[] = []
  const clients: Redis[] = []
  let client: Redis
  beforeAll(async () => {
    client = createCommandClient(url)
    await connectClient(client, url)
  })
  afterAll(async () => {
    for (const prefix of prefixes) await removeKeys(client, prefix)
    await Promise.all([client, ...clients].map((each) => each.quit()))
  })
  const open = (prefix = uniquePrefix('streams')) => {
    prefixes.push(prefix)
    const subscriber = createWorkerClient(url)
    clients.push(subscriber)
    return createRedisStreamStore({ client, subscriber, url, prefix })
  }

  runStreamStoreContract('contract', () => open())

  it('lays items out as Motia does: one hash per group, the item JSON under its id', async () => {
    const prefix = uniquePrefix('streams-layout')
    const store = await open(prefix)
    await store.set('todo', 'inbox', { id: 'a', title: 'A' })
    expect(await client.hgetall(`${prefix}:stream:todo:group:inbox`)).toEqual({ a: '{"id":"a","title":"A"}' })
    await store.close()
  })

  it('tells every process sharing the Redis about a write made on any of them', async () => {
    const prefix = uniquePrefix('streams-shared')
    const [writer, reader] = [await open(prefix), await open(prefix)]
    const heard = new Promise<StreamChange>((resolve) => reader.onChange(resolve))
    await writer.set('todo', 'inbox', { id: 'a', title: 'from the writer' })
    expect(await heard).toMatchObject({ streamName: 'todo', groupId: 'inbox', id: 'a', type: 'create', json: '{"id":"a","title":"from the writer"}' })
    expect(await reader.get('todo', 'inbox', 'a')).toEqual({ id: 'a', title: 'from the writer' })
    await Promise.all([writer.close(), reader.close()])
  })
})
