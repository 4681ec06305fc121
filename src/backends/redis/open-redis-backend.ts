import { toErrorMessage } from '../../errors.ts'
import type { Backend, BackendQueueOptions } from '../backend.ts'
import { connectClient, createCommandClient, createWorkerClient } from './redis-client.ts'
import { createRedisCronLock } from './redis-cron-lock.ts'
import { createRedisQueue } from './redis-queue.ts'
import { createRedisStateStore } from './redis-state.ts'
import { createRedisStreamStore } from './redis-streams.ts'
import { toSafeUrl } from './safe-url.ts'

/** Where the Redis backend lives and how long a job's lock lasts. */
export interface RedisSettings {
  url: string
  /** Every key starts with it. */
  prefix: string
  /** How long a running job's lock lasts before another process may take the job over. */
  lockDurationMs: number
}

/** Connects to Redis (or fails naming the URL) and opens queue, state, streams and cron lock on it. */
export async function openRedisBackend(settings: RedisSettings, options: BackendQueueOptions): Promise<Backend> {
  const { url, prefix } = settings
  const client = createCommandClient(url)
  await connectClient(client, url)
  const workerClient = createWorkerClient(url)
  const subscriber = createWorkerClient(url)
  const streams = await createRedisStreamStore({ client, subscriber, url, prefix, onError: options.onError })
  return {
    queue: createRedisQueue({ ...options, ...settings, client, workerClient }),
    state: createRedisStateStore({ client, url, prefix }),
    streams,
    cronLock: createRedisCronLock({ client, prefix }),
    store: `Redis at ${toSafeUrl(url)} (prefix "${prefix}")`,
    async health() {
      const commands = await client.ping().then(
        () => ({ name: 'redis', ok: true }),
        (error: unknown) => ({ name: 'redis', ok: false, error: `${toSafeUrl(url)}: ${toErrorMessage(error)}` }),
      )
      const workers =
        workerClient.status === 'ready'
          ? { name: 'redis (workers)', ok: true }
          : { name: 'redis (workers)', ok: false, error: `${toSafeUrl(url)}: connection ${workerClient.status}` }
      return [commands, workers]
    },
    async release() {
      await Promise.allSettled([client.quit(), workerClient.quit(), subscriber.quit()])
    },
  }
}
