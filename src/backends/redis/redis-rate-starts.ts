/**
 * The starts of a rate limit on Redis, shared by every process on the same prefix: a list per
 * (step, key) of the newest `limit` start times, read and written by one script with the Redis
 * server's clock, so processes on several hosts count one window. The starts asked for in one turn
 * of the event loop go to Redis together, one script call per (step, key): the script takes them
 * one after the other, in the order they were asked for, at one server time, exactly as that many
 * calls in a row would, in one round trip instead of one per attempt.
 *
 * While the log is at most half full, a call also takes a few starts ahead, which this process
 * hands out without a round trip for a short lead time (a hundredth of the period, at most 20 ms).
 * Those starts are logged at the server's time plus that lead, the latest they can be used, so one
 * used late still counts in every period it falls in and no period ever sees more than `limit`
 * starts; one not used in time is taken out of the log again when this process next asks.
 */
import type { Redis } from 'ioredis'
import type { RateLimit } from '../../queue/queue.ts'
import { createRedisScript } from './redis-script.ts'

// KEYS: the start log, the next planned retry. ARGV: limit, periodMs, spacing between planned
// retries, how many starts to take, how many more to take ahead, the lead. Returns one number per
// start: 0 when it was recorded, else the milliseconds to wait; then how many were taken ahead, and
// the time they were logged at.
// Starts over the limit are planned one spacing apart, so each comes back about once instead of all
// at every freed slot.
const TAKE_SCRIPT = createRedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local spacing = tonumber(ARGV[3])
local count = tonumber(ARGV[4])
local ahead = tonumber(ARGV[5])
local lead = tonumber(ARGV[6])
local stamp = now
local waits = {}
local recorded = false
local taken = 0
local length = redis.call('LLEN', KEYS[1])
if length + count <= limit then
  -- Room for every start: each would find fewer than limit starts before it.
  if ahead > 0 and (length + count + ahead) * 2 <= limit then
    -- Logged at the latest time they may be used. The log may then hold a later time before an
    -- earlier one: that only ever refuses a start too many, since it never holds more than limit.
    taken = ahead
    stamp = now + lead
  end
  local times = {}
  for i = 1, count + taken do times[i] = stamp end
  for i = 1, count do waits[i] = 0 end
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
  redis.call('PEXPIRE', KEYS[1], period + lead)
end
waits[count + 1] = taken
waits[count + 2] = stamp
return waits
`)

/** Starts one script call takes at most, so a burst of them never holds Redis for long. */
const MOST_PER_CALL = 500
/** Starts one call takes ahead at most. */
const MOST_AHEAD = 32
const MOST_LEAD_MS = 20

/** How long a start taken ahead may wait for its attempt. */
function leadOf(periodMs: number): number {
  return Math.min(MOST_LEAD_MS, Math.floor(periodMs / 100))
}

/** The starts of one (step, key) asked for in this turn, with the limit they were asked under. */
interface Batch {
  id: string
  keys: [string, string]
  limit: number
  periodMs: number
  waiters: Array<{ resolve: (waitMs: number) => void; reject: (error: unknown) => void }>
}

/** Starts taken ahead for one (step, key) and limit, until when (performance.now()) they may be used, and where they are logged. */
interface Ahead {
  remaining: number
  usableUntil: number
  log: string
  stamp: number
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

  const ahead = new Map<string, Ahead>()
  // Ids with a call asking for starts ahead on its way: one at a time, so replies never bring more than one lead time can use.
  const asking = new Set<string>()

  const send = (batch: Batch, from: number): void => {
    const waiters = batch.waiters.slice(from, from + MOST_PER_CALL)
    const spacing = batch.periodMs / batch.limit
    const lead = leadOf(batch.periodMs)
    const asks = lead > 0 && !asking.has(batch.id) && !ahead.has(batch.id)
    if (asks) asking.add(batch.id)
    // Before the call leaves: the server logs the starts later than this, so a start used by sentAt + lead is used by its logged time.
    const sentAt = performance.now()
    TAKE_SCRIPT.run(client, batch.keys, [batch.limit, batch.periodMs, spacing, waiters.length, asks ? MOST_AHEAD : 0, lead]).then(
      (reply) => {
        const list = reply as number[]
        for (const [index, waiter] of waiters.entries()) waiter.resolve(Number(list[index]))
        if (!asks) return
        asking.delete(batch.id)
        const taken = Number(list[waiters.length] ?? 0)
        if (taken === 0) return
        const starts: Ahead = { remaining: taken, usableUntil: sentAt + lead, log: batch.keys[0], stamp: Number(list[waiters.length + 1]) }
        ahead.set(batch.id, starts)
        // Gives unused ones back as soon as they expire, and keeps no entry for a key never asked for again.
        setTimeout(() => release(batch.id, starts), Math.max(0, starts.usableUntil - performance.now()) + 1).unref()
      },
      (error: unknown) => {
        if (asks) asking.delete(batch.id)
        for (const waiter of waiters) waiter.reject(error)
      },
    )
  }

  /** Drops the starts taken ahead for `id` if they are still `starts`, and gives the log back the unused ones. */
  const release = (id: string, starts: Ahead): void => {
    if (ahead.get(id) !== starts) return
    ahead.delete(id)
    // Starts never used never happened: their entries go, so a limit near its end is not held back by them.
    // One not given back (Redis away) only holds its place until its period ends.
    if (starts.remaining > 0) client.lrem(starts.log, starts.remaining, starts.stamp).catch(() => {})
  }

  /** Hands out a start taken ahead, if one is still usable. */
  const takeAhead = (id: string): boolean => {
    const starts = ahead.get(id)
    if (!starts) return false
    if (starts.remaining > 0 && performance.now() <= starts.usableUntil) {
      starts.remaining -= 1
      return true
    }
    release(id, starts)
    return false
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
      if (takeAhead(id)) return Promise.resolve(0)
      let batch = batches.get(id)
      if (!batch) {
        // After the microtasks of this turn: the processors BullMQ starts in this turn ask first.
        if (batches.size === 0) process.nextTick(flush)
        batch = { id, keys: [log, nextKey(step, key)], limit: rateLimit.limit, periodMs: rateLimit.periodMs, waiters: [] }
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
