import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe } from 'vitest'
import { runQueueContract } from '../../queue/queue.contract.ts'
import { connectClient, createCommandClient, createWorkerClient } from './redis-client.ts'
import { createRedisQueue } from './redis-queue.ts'
import { redisUrl, removeKeys, uniquePrefix } from './redis-test-support.ts'

describe.skipIf(!redisUrl)('redis queue', () => {
  const url = redisUrl ?? ''
  const prefixes: string[] = []
  const errors: unknown[] = []
  let client: Redis
  let workerClient: Redis
  beforeAll(async () => {
    client = createCommandClient(url)
    await connectClient(client, url)
    workerClient = createWorkerClient(url)
  })
  afterAll(async () => {
    for (const prefix of prefixes) await removeKeys(client, prefix)
    await client.quit()
    await workerClient.quit()
  })

  runQueueContract('contract', () => {
    const prefix = uniquePrefix('queue')
    prefixes.push(prefix)
    return createRedisQueue({ url, client, workerClient, prefix, onError: (error) => errors.push(error) })
  })
})
