import type { Redis } from 'ioredis'
import type { CronLock } from '../../cron/cron-lock.ts'

/** The connection and key prefix of the Redis cron lock. */
export interface RedisCronLockOptions {
  client: Redis
  /** Keys are `<prefix>:cron:<step>:<tickAt>`. */
  prefix: string
  /** How long a tick's key is kept, long enough for every process's clock to be past that tick; default 10 minutes. */
  keepMs?: number
}

/**
 * A cron lock shared by every process on one Redis: the first process to claim a step's tick (SET NX)
 * runs it, the others skip it. A process that cannot reach Redis skips the tick rather than risk
 * running it twice.
 */
export function createRedisCronLock(options: RedisCronLockOptions): CronLock {
  const { client, prefix } = options
  const keepMs = options.keepMs ?? 10 * 60_000
  return {
    async acquire(step, tickAt) {
      const claimed = await client.set(`${prefix}:cron:${step}:${tickAt}`, String(process.pid), 'PX', keepMs, 'NX')
      return claimed === 'OK'
    },
  }
}
