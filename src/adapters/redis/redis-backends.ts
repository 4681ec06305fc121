import type { CronLock } from '../../cron/cron-lock.ts'
import type { Queue } from '../../queue/queue.ts'
import type { StateStore } from '../../state/state-store.ts'
import { connectClient, createCommandClient, createWorkerClient } from './redis-client.ts'
import { createRedisCronLock } from './redis-cron-lock.ts'
import { createRedisQueue, type RedisQueueOptions } from './redis-queue.ts'
import { createRedisStateStore } from './redis-state.ts'

/** Where and how the Redis backends run. */
export interface RedisBackendOptions extends Omit<RedisQueueOptions, 'client' | 'workerClient'> {
  lockDurationMs: number
}

/** Queue, state and cron lock on one Redis, and the function that closes their connections after they closed. */
export interface RedisBackends {
  queue: Queue
  state: StateStore
  cronLock: CronLock
  release(): Promise<void>
}

/** Connects to Redis (or fails naming the URL) and opens the three backends on it. */
export async function openRedisBackends(options: RedisBackendOptions): Promise<RedisBackends> {
  const { url, prefix } = options
  const client = createCommandClient(url)
  await connectClient(client, url)
  const workerClient = createWorkerClient(url)
  return {
    queue: createRedisQueue({ ...options, client, workerClient }),
    state: createRedisStateStore({ client, url, prefix }),
    cronLock: createRedisCronLock({ client, prefix }),
    async release() {
      await Promise.allSettled([client.quit(), workerClient.quit()])
    },
  }
}
