/**
 * Concurrency per key on Redis, for the whole cluster: a sorted set per (step, key) of the jobs
 * running now, each with a lease that ends when its attempt would have timed out (plus the lock
 * time), so a slot held by a killed process frees itself. A job that finds its key full joins the
 * key's waiters and sleeps in BullMQ's delayed set until the earliest lease ends; a slot freed first
 * promotes the oldest waiter.
 */
import type { Queue as BullQueue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { KeyConcurrency } from '../../queue/queue.ts'
import type { JobRecord } from './redis-job-record.ts'
import { createRedisScript } from './redis-script.ts'

// KEYS: running set, waiters list. ARGV: limit, leaseMs, job id. Returns 0 with the slot taken, else ms until the earliest lease ends.
const ACQUIRE_SCRIPT = createRedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], lease)
  redis.call('LREM', KEYS[2], 0, ARGV[3])
  return 0
end
redis.call('LREM', KEYS[2], 0, ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], lease)
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(first[2]) - now)
`)

// KEYS: running set, waiters list. ARGV: job id. Frees the slot and returns the oldest waiter, if any.
const RELEASE_SCRIPT = createRedisScript(`
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return false end
return redis.call('LPOP', KEYS[2])
`)

export interface RedisKeySlots {
  /** Takes a slot of the job's key and returns 0, or returns how many ms until one may free. */
  acquire(step: string, options: KeyConcurrency, data: unknown, jobId: string, leaseMs: number): Promise<number>
  /** Frees the job's slot and wakes the oldest job waiting for its key. */
  release(step: string, options: KeyConcurrency, data: unknown, jobId: string): Promise<void>
  /** Whether the key of `data` runs its most attempts now. */
  isFull(step: string, options: KeyConcurrency, data: unknown): Promise<boolean>
}

/** Creates the key slots of one Redis queue. */
export function createRedisKeySlots(client: Redis, prefix: string, queueOf: (step: string) => BullQueue<JobRecord>): RedisKeySlots {
  const runningKey = (step: string, key: string): string => `${prefix}:slots:${step}:${key}`
  const waitersKey = (step: string, key: string): string => `${prefix}:slot-waiters:${step}:${key}`

  /** Moves a sleeping waiter to the waiting list; false when it no longer sleeps (cancelled, or woken by its own delay). */
  const wake = async (step: string, id: string): Promise<boolean> => {
    const job = await queueOf(step).getJob(id)
    if (!job || !(await job.isDelayed())) return false
    try {
      await job.promote()
      return true
    } catch {
      return false
    }
  }

  return {
    async acquire(step, options, data, jobId, leaseMs) {
      const key = options.keyOf(data)
      return Number(await ACQUIRE_SCRIPT.run(client, [runningKey(step, key), waitersKey(step, key)], [options.limit, leaseMs, jobId]))
    },

    async release(step, options, data, jobId) {
      const key = options.keyOf(data)
      let next = await RELEASE_SCRIPT.run(client, [runningKey(step, key), waitersKey(step, key)], [jobId])
      while (typeof next === 'string' && !(await wake(step, next))) next = await client.lpop(waitersKey(step, key))
    },

    async isFull(step, options, data) {
      const key = runningKey(step, options.keyOf(data))
      return (await client.zcount(key, Date.now(), '+inf')) >= options.limit
    },
  }
}
