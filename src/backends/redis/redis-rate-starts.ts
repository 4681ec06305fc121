/**
 * The starts of a rate limit on Redis, shared by every process on the same prefix: a list per
 * (step, key) of the newest `limit` start times, read and written by one script with the Redis
 * server's clock, so processes on several hosts count one window. The starts asked for in one turn
 * of the event loop go to Redis together, one script call per (step, key): the script takes them
 * one after the other, in the order they were asked for, at one server time, exactly as that many
 * calls in a row would, in one round trip instead of one per attempt.
 */
import type { Redis } from 'ioredis'
import type { RateLimit } from '../../queue/queue.ts'
import { createRedisScript } from './redis-script.ts'

// KEYS: the start log, the next planned retry. ARGV: limit, periodMs, spacing between planned
// retries, how many starts to take. Returns one number per start: 0 when it was recorded, else the
// milliseconds to wait. Starts over the limit are planned one spacing apart, so each comes back
// about once instead of all at every freed slot.
const TAKE_SCRIPT = createRedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local spacing = tonumber(ARGV[3])
local count = tonumber(ARGV[4])
local waits = {}
local recorded = false
if redis.call('LLEN', KEYS[1]) + count <= limit then
  -- Room for every start: each would find fewer than limit starts before it.
  local times = {}
  for i = 1, count do
    times[i] = now
    waits[i] = 0
  end
  redis.call('LPUSH', KEYS[1], unpack(times))
  recorded = true
else
  for i = 1, count do
    local oldest = tonumber(redis.call('LINDEX', KEYS[1], limit - 1))
    if oldest and oldest + period > now then
      local at = oldest + period
      local planned = tonumber(redis.call('GET', KEYS[2]))
      if planned and planned > at then at = planned end
      redis.call('SET', KEYS[2], math.ceil(at + spacing), 'PX', math.ceil(at - now + period))
      waits[i] = math.ceil(at - now)
    else
      redis.call('LPUSH', KEYS[1], now)
      redis.call('LTRIM', KEYS[1], 0, limit - 1)
      recorded = true
      waits[i] = 0
    end
  end
end
if recorded then
  -- Starts older than the period no longer count: drop them from the old end, so a high limit keeps a short list.
  local last = tonumber(redis.call('LINDEX', KEYS[1], -1))
  while last and last + period <= now do
    redis.call('RPOP', KEYS[1])
    last = tonumber(redis.call('LINDEX', KEYS[1], -1))
  end
  redis.call('PEXPIRE', KEYS[1], period)
end
return waits
`)

/** Starts one script call takes at most, so a burst of them never holds Redis for long. */
const MOST_PER_CALL = 500

/** The starts of one (step, key) asked for in this turn, with the limit they were asked under. */
interface Batch {
  keys: [string, string]
  limit: number
  periodMs: number
  waiters: Array<{ resolve: (waitMs: number) => void; reject: (error: unknown) => void }>
}

export interface RedisRateStarts {
  /** Records a start of `step`'s job under its limit and resolves 0, or resolves how many ms it must wait. */
  take(step: string, rateLimit: RateLimit, data: unknown): Promise<number>
  /** The start log of (step, key), oldest first. */
  startsOf(step: string, key: string, limit: number): Promise<number[]>
  /** When the next start over the limit of (step, key) is planned; 0 when none is. */
  plannedOf(step: string, key: string): Promise<number>
}

/** Creates the rate-limit starts of one Redis queue under `<prefix>:rate:…` and `<prefix>:rate-next:…`. */
export function createRedisRateStarts(client: Redis, prefix: string): RedisRateStarts {
  const logKey = (step: string, key: string): string => `${prefix}:rate:${step}:${key}`
  const nextKey = (step: string, key: string): string => `${prefix}:rate-next:${step}:${key}`
  // Keyed by log, limit and period: a step reloaded with another limit in the same turn takes apart.
  let batches = new Map<string, Batch>()

  const send = (batch: Batch, from: number): void => {
    const waiters = batch.waiters.slice(from, from + MOST_PER_CALL)
    const spacing = batch.periodMs / batch.limit
    TAKE_SCRIPT.run(client, batch.keys, [batch.limit, batch.periodMs, spacing, waiters.length]).then(
      (waits) => {
        const list = waits as number[]
        for (const [index, waiter] of waiters.entries()) waiter.resolve(Number(list[index]))
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error)
      },
    )
  }

  const flush = (): void => {
    const due = batches
    batches = new Map()
    for (const batch of due.values()) {
      for (let from = 0; from < batch.waiters.length; from += MOST_PER_CALL) send(batch, from)
    }
  }

  return {
    take(step, rateLimit, data) {
      const key = rateLimit.keyOf ? rateLimit.keyOf(data) : ''
      const log = logKey(step, key)
      const id = `${log}\u0000${rateLimit.limit}\u0000${rateLimit.periodMs}`
      let batch = batches.get(id)
      if (!batch) {
        // After the microtasks of this turn: the processors BullMQ starts in this turn ask first.
        if (batches.size === 0) process.nextTick(flush)
        batch = { keys: [log, nextKey(step, key)], limit: rateLimit.limit, periodMs: rateLimit.periodMs, waiters: [] }
        batches.set(id, batch)
      }
      const waiters = batch.waiters
      return new Promise((resolve, reject) => {
        waiters.push({ resolve, reject })
      })
    },

    async startsOf(step, key, limit) {
      return (await client.lrange(logKey(step, key), 0, limit - 1)).map(Number).reverse()
    },

    async plannedOf(step, key) {
      return Number(await client.get(nextKey(step, key)))
    },
  }
}
