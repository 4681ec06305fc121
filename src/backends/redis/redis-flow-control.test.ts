import { afterAll, describe, expect, it } from 'vitest'
import { runFlowControlContract } from '../../queue/flow-control.contract.ts'
import { createCounter, toConsumerOptions, toNewJob } from '../../queue/queue-contract-helpers.ts'
import { createRedisQueue } from './redis-queue.ts'
import { useRedisClients } from './redis-test-clients.ts'
import { redisUrl, uniquePrefix } from './redis-test-support.ts'

describe.skipIf(!redisUrl)('redis', () => {
  const url = redisUrl ?? ''
  const run = uniquePrefix('flow')
  const errors: unknown[] = []
  const redis = useRedisClients(url)
  redis.removeAfter(run)
  afterAll(() => {
    expect(errors.map(String)).toEqual([])
  })

  runFlowControlContract('flow control', {
    open: (storage) => createRedisQueue({ url, client: redis.client, workerClient: redis.workerClient, prefix: `${run}:${storage}`, onError: (error) => errors.push(error) }),
    durable: true,
  })

  it('holds concurrency per key across queues on one prefix, as across processes', async () => {
    const prefix = `${run}:slots-shared`
    const queues = [0, 1].map(() => createRedisQueue({ url, client: redis.client, workerClient: redis.workerClient, prefix, onError: (error) => errors.push(error) }))
    let running = 0
    let most = 0
    const done = createCounter()
    const ranOn = new Set<number>()
    queues.forEach((queue, index) => {
      queue.consume('tenant-step', toConsumerOptions({ concurrency: 5, keyConcurrency: { limit: 1, keyOf: () => 'acme' } }), async () => {
        running += 1
        most = Math.max(most, running)
        ranOn.add(index)
        // Long enough for the other queue's worker to try the same key meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 30))
        running -= 1
        done.add()
      })
    })
    // Rounds until both queues have run jobs of the key (a worker may start late on a busy machine).
    for (let round = 1; round <= 10 && ranOn.size < 2; round += 1) {
      await queues[0]?.enqueue(Array.from({ length: 4 }, () => toNewJob({ step: 'tenant-step' })))
      await done.reached(4 * round)
    }
    expect({ most, queues: ranOn.size }).toEqual({ most: 1, queues: 2 })
    await Promise.all(queues.map((queue) => queue.close(100)))
  })
})
