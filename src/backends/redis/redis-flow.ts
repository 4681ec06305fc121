/**
 * Flow control on Redis, shared by every process on the same prefix: rate limits (the sliding log
 * of starts in redis-rate-starts.ts) and concurrency per key (redis-key-slots.ts) in front of each
 * attempt. A step's pause is BullMQ's own (a flag every worker of the queue reads before it fetches).
 */
import { type Job as BullJob, type Queue as BullQueue, DelayedError } from 'bullmq'
import type { Redis } from 'ioredis'
import type { ConsumerOptions, Job, JobWait, RateLimit } from '../../queue/queue.ts'
import { createStartLog } from '../../queue/rate-window.ts'
import type { JobRecord } from './redis-job-record.ts'
import { createRedisKeySlots } from './redis-key-slots.ts'
import { createRedisRateStarts } from './redis-rate-starts.ts'

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
  const starts = createRedisRateStarts(client, prefix)

  return {
    take: starts.take,

    async run(step, options, bullJob, token, attempt) {
      const { keyConcurrency, rateLimit } = options
      const data = bullJob.data.data
      if (!keyConcurrency && rateLimit) {
        // The common case, a rate limit alone: the start decides, with nothing to free after the attempt.
        const wait = await starts.take(step, rateLimit, data)
        return wait > 0 ? sendBack(bullJob, token, wait) : attempt()
      }
      const id = String(bullJob.id)
      if (keyConcurrency) {
        const wait = await slots.acquire(step, keyConcurrency, data, id, options.timeoutMs + lockDurationMs)
        if (wait > 0) return sendBack(bullJob, token, wait)
      }
      try {
        const wait = rateLimit ? await starts.take(step, rateLimit, data) : 0
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
    const until = createStartLog(await starts.startsOf(job.step, key, rateLimit.limit)).nextStartAt(rateLimit.limit, rateLimit.periodMs, time)
    if (until > time && job.runAt <= until) return { reason: 'rate-limited', until }
    // A job the limit sent back waits until its runAt, which is before the next planned retry.
    if (job.runAt <= time) return null
    const planned = await starts.plannedOf(job.step, key)
    return planned > 0 && job.runAt < planned ? { reason: 'rate-limited', until: job.runAt } : null
  }
}
