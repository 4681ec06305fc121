/**
 * Batches of a step's jobs in the dispatcher: jobs of one key run together, `maxSize` at most, as
 * soon as that many are due, or `timeoutMs` after the first of them came due. A batch that failed
 * comes back as the same jobs (its batchId), all due at the same retry time, and runs again as it
 * was, before anything is added to it. Nothing is stored but the jobs' batchId: which jobs wait for
 * which batch is read from the ready jobs at every claim, so a restart loses nothing.
 */
import { MotiaError } from '../errors.ts'
import type { BackoffOptions } from './backoff.ts'
import type { JobStore } from './job-store.ts'
import { isCutOff, toFailedJob } from './job-transitions.ts'
import type { Batch, ConsumerOptions, Job, JobWait } from './queue.ts'

/** The largest `maxSize`: a batch is one handler call, and its jobs are read and written together. */
export const MAX_BATCH_SIZE = 10_000

export interface BatchPlan {
  /** Batches to start now, in the order their first jobs would be claimed. */
  batches: Job[][]
  /** When the earliest batch still filling is due by its timeout, or null when none waits. */
  wakeAt: number | null
}

export interface Batcher {
  /** Claims the batches of `step` that may start at `time` (full, past their timeout, or retried), at most `free`; and says when to look again. */
  claim(step: string, time: number, free: number): BatchPlan
  /** `batching` until its batch's timeout, for a due pending job; else null. */
  waitOf(job: Job, time: number): JobWait | null
}

interface Group {
  jobs: Job[]
  /** A retried batch or a job that must run alone: it runs as soon as a slot is free. */
  now: boolean
}

/** Where a ready job belongs: the batch it failed in, itself alone (a suspect of a crash), or the new jobs of its key. */
function groupName(job: Job, keyOf: (data: unknown) => string): [string, boolean] {
  if (isCutOff(job)) return [`alone\u0000${job.id}`, true]
  if (job.status === 'failed' && job.batchId !== undefined) return [`retry\u0000${job.batchId}`, true]
  return [`key\u0000${keyOf(job.data)}`, false]
}

/** Creates the batcher of a step whose jobs `store` holds. */
export function createBatcher(options: Batch, store: JobStore): Batcher {
  const { maxSize, timeoutMs, keyOf } = options
  // How many ready jobs a claim reads to form batches: jobs further back wait for the next claims.
  const scanLimit = Math.max(1_000, maxSize * 4)
  /** The timeout of the batch filling for each key, as the last plan saw it. */
  let deadlines = new Map<string, number>()

  /** Forms batches from the ready jobs (claim order) at `time`: at most `free` to start, and when to look again. */
  const plan = (ready: readonly Job[], time: number, free: number): BatchPlan => {
    const groups = new Map<string, Group>()
    for (const job of ready) {
      const [name, now] = groupName(job, keyOf)
      const group = groups.get(name)
      if (group) group.jobs.push(job)
      else groups.set(name, { jobs: [job], now })
    }
    const batches: Job[][] = []
    let wakeAt: number | null = null
    deadlines = new Map()
    for (const [name, group] of groups) {
      for (let start = 0; start < group.jobs.length; start += maxSize) {
        const jobs = group.jobs.slice(start, start + maxSize)
        const firstDueAt = Math.min(...jobs.map((job) => job.runAt))
        const deadline = firstDueAt + timeoutMs
        if (group.now || jobs.length === maxSize || deadline <= time) {
          if (batches.length < free) batches.push(jobs)
          continue
        }
        deadlines.set(name, deadline)
        if (wakeAt === null || deadline < wakeAt) wakeAt = deadline
      }
    }
    return { batches, wakeAt }
  }

  return {
    claim(step, time, free) {
      const { batches, wakeAt } = plan(store.readyJobs(step, time, scanLimit), time, free)
      const claimed: Job[][] = []
      for (const batch of batches) {
        // A retried batch keeps its id, so its jobs show they ran together again.
        const first = batch[0] as Job
        const batchId = first.status === 'failed' && first.batchId !== undefined ? first.batchId : crypto.randomUUID()
        const jobs = store.claimBatch(batch.map((job) => job.id), time, batchId)
        if (jobs.length > 0) claimed.push(jobs)
      }
      return { batches: claimed, wakeAt }
    },

    waitOf(job, time) {
      if (job.status !== 'pending' || job.runAt > time) return null
      const until = deadlines.get(`key\u0000${keyOf(job.data)}`) ?? job.runAt + timeoutMs
      return { reason: 'batching', until }
    },
  }
}

/**
 * The jobs of a batch whose attempt failed with `error` at `time`: each counts the attempt, and those
 * with attempts left wait for one retry time, so they come due together.
 */
export function toFailedBatch(jobs: readonly Job[], error: unknown, time: number, backoff: BackoffOptions, random: () => number): Job[] {
  const jitter = random()
  const failed = jobs.map((job) => toFailedJob(job, error, time, backoff, () => jitter))
  let retryAt = -Infinity
  for (const job of failed) if (job.status === 'failed') retryAt = Math.max(retryAt, job.runAt)
  return failed.map((job) => (job.status === 'failed' ? { ...job, runAt: retryAt } : job))
}

/** Refuses a batch no queue can honour, or one combined with flow control that acts on single jobs. */
export function checkBatchOptions(step: string, options: ConsumerOptions): void {
  const { batch } = options
  if (!batch) return
  const refuse = (message: string): never => {
    throw new MotiaError('QUEUE_CONSUMER_INVALID', `Step "${step}" ${message}`)
  }
  if (!Number.isInteger(batch.maxSize) || batch.maxSize < 1 || batch.maxSize > MAX_BATCH_SIZE) {
    refuse(`has batch.maxSize ${batch.maxSize}. Set infrastructure.queue.batch.maxSize to a whole number from 1 to ${MAX_BATCH_SIZE}.`)
  }
  if (!(batch.timeoutMs > 0)) refuse(`has batch.timeoutMs ${batch.timeoutMs}. Set infrastructure.queue.batch.timeoutMs above 0.`)
  if (options.fifo) refuse('combines batch with a fifo queue. Remove batch or use a standard queue.')
  if (options.debounce) refuse('combines batch with debounce. Remove one of them.')
  if (options.rateLimit) refuse('combines batch with rateLimit. Remove one of them.')
  if (options.keyConcurrency) refuse('combines batch with concurrencyKey. Remove one of them; concurrency limits batches at once.')
}
