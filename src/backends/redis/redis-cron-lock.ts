import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { CronLock } from '../../cron/cron-lock.ts'
import { createRedisScript } from './redis-script.ts'

/** The connection and key prefix of the Redis cron lock. */
export interface RedisCronLockOptions {
  client: Redis
  /** Keys are `<prefix>:cron:<step>:<tickAt>` (who runs a tick) and `<prefix>:cron-running:<step>` (a tick is running). */
  prefix: string
  /** How long a tick's key is kept, long enough for every process's clock to be past that tick; default 10 minutes. */
  keepMs?: number
  /** How long a running tick's claim lasts unless renewed (every third of it while the tick runs), so a killed process frees it; default 30 s. */
  runningLeaseMs?: number
}

// Renews or removes the running claim only while it is still ours.
const RENEW_SCRIPT = createRedisScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`)
const RELEASE_SCRIPT = createRedisScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`)

/**
 * A cron lock shared by every process on one Redis: the first process to claim a step's tick (SET NX)
 * runs it, the others skip it; a second claim, on the step alone, keeps its ticks from overlapping
 * anywhere in the cluster. A process that cannot reach Redis skips the tick rather than risk running it twice.
 */
export function createRedisCronLock(options: RedisCronLockOptions): CronLock {
  const { client, prefix } = options
  const keepMs = options.keepMs ?? 10 * 60_000
  const leaseMs = options.runningLeaseMs ?? 30_000
  return {
    async acquire(step, tickAt) {
      const claimed = await client.set(`${prefix}:cron:${step}:${tickAt}`, String(process.pid), 'PX', keepMs, 'NX')
      return claimed === 'OK'
    },
    async begin(step) {
      const key = `${prefix}:cron-running:${step}`
      const token = `${process.pid}:${randomUUID()}`
      if ((await client.set(key, token, 'PX', leaseMs, 'NX')) !== 'OK') return null
      const renew = setInterval(() => {
        // A renewal lost to a blip is retried at the next interval; the lease outlives two misses.
        RENEW_SCRIPT.run(client, [key], [token, leaseMs]).catch(() => {})
      }, leaseMs / 3)
      renew.unref()
      return async () => {
        clearInterval(renew)
        await RELEASE_SCRIPT.run(client, [key], [token])
      }
    },
  }
}
