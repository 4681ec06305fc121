/**
 * Flow control on Redis, shared by every process on the same prefix: the sliding log of a rate limit
 * is a list per (step, key) of the newest `limit` start times, read and written by one script with
 * the Redis server's clock, so processes on several hosts count one window. A step's pause is
 * BullMQ's own (a flag every worker of the queue reads before it fetches).
 */
import { type Job as BullJob, type Queue as BullQueue, DelayedError } from 'bullmq'
import type { Redis } from 'ioredis'
import type { ConsumerOptions, Job, JobWait, RateLimit } from '../../queue/queue.ts'
import { createStartLog } from '../../queue/rate-window.ts'
import type { JobRecord } from './redis-job-record.ts'
import { createRedisKeySlots } from './redis-key-slots.ts'

// KEYS: the start log, the next planned retry. ARGV: limit, periodMs, spacing between planned retries.
// Returns 0 when the start was recorded, else the milliseconds to wait. Jobs over the limit are
// planned one spacing apart, so each comes back about once instead of all at every freed slot.
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local spacing = tonumber(ARGV[3])
local oldest = tonumber(redis.call('LINDEX', KEYS[1], limit - 1))
if oldest and oldest + period > now then
  local at = oldest + period
  local planned = tonumber(redis.call('GET', KEYS[2]))
  if planned and planned > at then at = planned end
  redis.call('SET', KEYS[2], math.ceil(at + spacing), 'PX', math.ceil(at - now + period))
  return math.ceil(at - now)
end
redis.call('LPUSH', KEYS[1], now)
redis.call('LTRIM', KEYS[1], 0, limit - 1)
-- Starts older than the period no longer count: drop them from the old end, so a high limit keeps a short list.
local last = tonumber(redis.call('LINDEX', KEYS[1], -1))
while last and last + period <= now do
  redis.call('RPOP', KEYS[1])
  last = tonumber(redis.call('LINDEX', KEYS[1], -1))
end
redis.call('PEXPIRE', KEYS[1], period)
return 0
`

export interface RedisFlow {
  /** Records a start of `step`'s job under its limit and returns 0, or returns how many ms it must wait. */
  take(step: string, rateLimit: RateLimit, data: unknown): Promise<number>
  /**
   * The worker's processor for a step with flow control: runs the attempt when its key has a free
   * slot and the rate limit allows it; else moves the job to BullMQ's delayed set until it may try
   * again, without counting an attempt. The key slot is freed when the attempt ends.
   * (BullMQ's RateLimitError is not used: a worker may fetch another job before it learns of the
   * limit, and that job then sits active, looking like it runs, until the window opens.)
   */
  run(step: string, options: ConsumerOptions, bullJob: BullJob<JobRecord>, token: string | undefined, attempt: () => Promise<void>): Promise<void>
  /** Why each waiting job of `jobs` is held back (pause, rate limit, key slots), set on a copy; other jobs as they are. */
  withWaits(jobs: Job[], optionsOf: (step: string) => ConsumerOptions | undefined): Promise<Job[]>
}

/** Creates the flow control of one Redis queue under `prefix`. */
export function createRedisFlow(
  client: Redis,
  prefix: string,
  queueOf: (step: string) => BullQueue<JobRecord>,
  /** How long after an attempt's timeout a killed process's key slot frees itself. */
  lockDurationMs: number,
): RedisFlow {
  const slots = createRedisKeySlots(client, prefix, queueOf)
  const logKey = (step: string, key: string): string => `${prefix}:rate:${step}:${key}`
  const nextKey = (step: string, key: string): string => `${prefix}:rate-next:${step}:${key}`

  /** The start log of (step, key), oldest first. */
  const startsOf = async (step: string, key: string, limit: number): Promise<number[]> =>
    (await client.lrange(logKey(step, key), 0, limit - 1)).map(Number).reverse()

  const take = async (step: string, rateLimit: RateLimit, data: unknown): Promise<number> => {
    const key = rateLimit.keyOf ? rateLimit.keyOf(data) : ''
    const spacing = rateLimit.periodMs / rateLimit.limit
    const wait = await client.eval(TAKE_SCRIPT, 2, logKey(step, key), nextKey(step, key), rateLimit.limit, rateLimit.periodMs, spacing)
    return Number(wait)
  }

  return {
    take,

    async run(step, options, bullJob, token, attempt) {
      const { keyConcurrency, rateLimit } = options
      const data = bullJob.data.data
      const id = String(bullJob.id)
      if (keyConcurrency) {
        const wait = await slots.acquire(step, keyConcurrency, data, id, options.timeoutMs + lockDurationMs)
        if (wait > 0) return sendBack(bullJob, token, wait)
      }
      try {
        const wait = rateLimit ? await take(step, rateLimit, data) : 0
        if (wait > 0) return await sendBack(bullJob, token, wait)
        return await attempt()
      } finally {
        if (keyConcurrency) await slots.release(step, keyConcurrency, data, id)
      }
    },

    async withWaits(jobs, optionsOf) {
      const paused = new Map<string, boolean>()
      const time = Date.now()
      const result: Job[] = []
      for (const job of jobs) {
        if (job.status !== 'pending' && job.status !== 'failed') {
          result.push(job)
          continue
        }
        let stepPaused = paused.get(job.step)
        if (stepPaused === undefined) {
          stepPaused = await queueOf(job.step).isPaused()
          paused.set(job.step, stepPaused)
        }
        const options = optionsOf(job.step)
        const wait = stepPaused
          ? ({ reason: 'paused', until: null } satisfies JobWait)
          : ((await rateWait(job, options?.rateLimit, time)) ?? (await slotWait(job, options, time)))
        result.push(wait ? { ...job, wait } : job)
      }
      return result
    },
  }

  /** Moves a job that may not start yet to BullMQ's delayed set until `waitMs` from now; its record's runAt says when. */
  async function sendBack(bullJob: BullJob<JobRecord>, token: string | undefined, waitMs: number): Promise<never> {
    const until = Date.now() + waitMs
    await bullJob.updateData({ ...bullJob.data, runAt: until })
    await bullJob.moveToDelayed(until, token)
    throw new DelayedError()
  }

  async function slotWait(job: Job, options: ConsumerOptions | undefined, time: number): Promise<JobWait | null> {
    if (!options?.keyConcurrency || job.runAt <= time) return null
    return (await slots.isFull(job.step, options.keyConcurrency, job.data)) ? { reason: 'concurrency-limited', until: job.runAt } : null
  }

  async function rateWait(job: Job, rateLimit: RateLimit | undefined, time: number): Promise<JobWait | null> {
    if (!rateLimit) return null
    const key = rateLimit.keyOf ? rateLimit.keyOf(job.data) : ''
    const until = createStartLog(await startsOf(job.step, key, rateLimit.limit)).nextStartAt(rateLimit.limit, rateLimit.periodMs, time)
    if (until > time && job.runAt <= until) return { reason: 'rate-limited', until }
    // A job the limit sent back waits until its runAt, which is before the next planned retry.
    if (job.runAt <= time) return null
    const planned = Number(await client.get(nextKey(job.step, key)))
    return planned > 0 && job.runAt < planned ? { reason: 'rate-limited', until: job.runAt } : null
  }
}
