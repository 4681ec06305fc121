import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { runFlowControlContract } from '../../queue/flow-control.contract.ts'
import { connectClient, createCommandClient, createWorkerClient } from './redis-client.ts'
import { createRedisQueue } from './redis-queue.ts'
import { redisUrl, removeKeys, uniquePrefix } from './redis-test-support.ts'

describe.skipIf(!redisUrl)('redis', () => {
  const url = redisUrl ?? ''
  const run = uniquePrefix('flow')
  const errors: unknown[] = []
  let client: Redis
  let workerClient: Redis
  beforeAll(async () => {
    client = createCommandClient(url)
    await connectClient(client, url)
    workerClient = createWorkerClient(url)
  })
  afterAll(async () => {
    expect(errors.map(String)).toEqual([])
    await removeKeys(client, run)
    await client.quit()
    await workerClient.quit()
  })

  runFlowControlContract('flow control', {
    open: (storage) => createRedisQueue({ url, client, workerClient, prefix: `${run}:${storage}`, onError: (error) => errors.push(error) }),
    durable: true,
  })
})
