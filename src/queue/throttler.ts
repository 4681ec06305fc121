/**
 * Throttle of a step's jobs at enqueue: at most `limit` jobs per key are accepted in any `periodMs`
 * (the sliding log of rate-window.ts); the others are stored already `skipped`, with the reason, and
 * never run.
 */
import type { FlowStore } from './flow-store.ts'
import type { Job, RateLimit } from './queue.ts'

/** The job as it is to be stored: as it is, or skipped. Runs inside the enqueue transaction. */
export type Throttler = (job: Job, time: number) => Job

/** The throttler of a step without a throttle: jobs as they are. */
export const NO_THROTTLE: Throttler = (job) => job

/** The job a throttle drops at `time`. */
export function toSkippedJob(job: Job, time: number, throttle: RateLimit): Job {
  const lastError = `Throttled: ${throttle.limit} job(s) of this key were accepted in the last ${throttle.periodMs} ms, so this one was skipped.`
  return { ...job, status: 'skipped', finishedAt: time, lastError }
}

/** Creates the throttler of a step; its logs live in `store` beside the rate limits' (under `<step>` plus a marker). */
export function createThrottler(step: string, throttle: RateLimit, store: FlowStore): Throttler {
  const { limit, periodMs, keyOf } = throttle
  const logStep = `${step}\u0000throttle`
  return (job, time) => {
    const key = keyOf ? keyOf(job.data) : ''
    if (store.log(logStep, key).nextStartAt(limit, periodMs, time) > time) return toSkippedJob(job, time, throttle)
    store.recordStart(logStep, key, time, limit, periodMs)
    return job
  }
}
