/** Shared by the Redis tests: the server they use, unique key prefixes, and cleanup. */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'

/** The Redis the tests talk to; the Redis tests are skipped when it is unset (CI sets it). */
export const redisUrl = process.env['REDIS_URL']

/** A key prefix no other test run uses. */
export function uniquePrefix(label: string): string {
  return `motia-test:${label}:${randomUUID().slice(0, 8)}`
}

/** Deletes every key under `prefix`. */
export async function removeKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await client.del(...keys)
  } while (cursor !== '0')
}
