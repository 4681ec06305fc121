/** The two connections a Redis queue test needs, opened before its tests and closed, keys removed, after them. */
import type { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { connectClient, createCommandClient, createWorkerClient } from './redis-client.ts'
import { removeKeys } from './redis-test-support.ts'

export interface RedisTestClients {
  readonly client: Redis
  readonly workerClient: Redis
  /** Removes every key under `prefix` after the tests. */
  removeAfter(prefix: string): void
}

/** Registers the hooks that open a command and a worker connection to `url`, and close them after the suite. */
export function useRedisClients(url: string): RedisTestClients {
  const prefixes: string[] = []
  let client: Redis | undefined
  let workerClient: Redis | undefined
  beforeAll(async () => {
    client = createCommandClient(url)
    await connectClient(client, url)
    workerClient = createWorkerClient(url)
  })
  afterAll(async () => {
    if (!client || !workerClient) return
    for (const prefix of prefixes) await removeKeys(client, prefix)
    await Promise.all([client.quit(), workerClient.quit()])
  })
  return {
    get client() {
      if (!client) throw new Error('The Redis clients open in beforeAll; use them inside a test.')
      return client
    },
    get workerClient() {
      if (!workerClient) throw new Error('The Redis clients open in beforeAll; use them inside a test.')
      return workerClient
    },
    removeAfter: (prefix) => void prefixes.push(prefix),
  }
}
