import { Queue as BullQueue } from 'bullmq'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runQueueContract } from '../../queue/queue.contract.ts'
import { nameOf, toConsumerOptions, toNewJob } from '../../queue/queue-contract-helpers.ts'
import { connectClient, createCommandClient, createWorkerClient } from './redis-client.ts'
import { toQueueName } from './redis-job-record.ts'
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
    // Nothing went wrong out of sight: worker and sweep errors reach onError.
    expect(errors.map(String)).toEqual([])
    for (const prefix of prefixes) await removeKeys(client, prefix)
    await client.quit()
    await workerClient.quit()
  })

  runQueueContract('contract', () => {
    const prefix = uniquePrefix('queue')
    prefixes.push(prefix)
    return createRedisQueue({ url, client, workerClient, prefix, onError: (error) => errors.push(error) })
  })

  it('unparks the next job of a group whose head vanished without unparking it, within a lock period', async () => {
    const prefix = uniquePrefix('queue-fifo')
    prefixes.push(prefix)
    const queue = createRedisQueue({ url, client, workerClient, prefix, lockDurationMs: 1_000 })
    const ran: string[] = []
    queue.consume('ordered', toConsumerOptions({ fifo: true }), async (job) => {
      ran.push(nameOf(job.data))
    })
    const [head, next] = await queue.enqueue([
      toNewJob({ step: 'ordered', messageGroupId: 'g', delayMs: 600_000, data: { name: 'head' } }),
      toNewJob({ step: 'ordered', messageGroupId: 'g', data: { name: 'next' } }),
    ])
    // As if the head's process had finished it and died before unparking the next job.
    const raw = new BullQueue(toQueueName('ordered'), { connection: client, prefix: `${prefix}:bull` })
    await (await raw.getJob(head?.id ?? ''))?.remove()
    await raw.close()
    await queue.drain()
    expect(ran).toEqual(['next'])
    expect((await queue.get(next?.id ?? ''))?.status).toBe('completed')
    await queue.close()
  })
})
