/**
 * Every change of a job's record, as pure functions: the meaning of a status change is written once
 * and every backend gets it through the dispatcher.
 */
import { NonRetriableError, toErrorMessage, toErrorStack } from '../errors.ts'
import { toBackoffDelay, type BackoffOptions } from './backoff.ts'
import { newJobId } from './job-id.ts'
import type { Job, JobAttemptError, NewJob } from './queue.ts'

/** True when an error asks for no retry: a NonRetriableError, also one from another copy of this package. */
export function isNonRetriableError(error: unknown): boolean {
  try {
    return (
      error instanceof NonRetriableError ||
      (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'NON_RETRIABLE')
    )
  } catch {
    // A value whose getters throw asks for nothing.
    return false
  }
}

/** The pending job created from `newJob` at `time`. */
export function toCreatedJob(newJob: NewJob, time: number): Job {
  return {
    id: newJobId(time),
    step: newJob.step,
    topic: newJob.topic,
    data: newJob.data,
    traceId: newJob.traceId,
    status: 'pending',
    attempts: 0,
    maxAttempts: newJob.maxRetries + 1,
    lastError: null,
    errors: [],
    messageGroupId: newJob.messageGroupId ?? null,
    priority: newJob.priority ?? 0,
    createdAt: time,
    startedAt: null,
    finishedAt: null,
    runAt: time + Math.max(0, newJob.delayMs ?? 0),
    traceContext: newJob.traceContext,
  }
}

/** The running job after its attempt succeeded at `time`. */
export function toCompletedJob(job: Job, time: number): Job {
  return { ...job, status: 'completed', finishedAt: time }
}

/**
 * The running job after its attempt failed with `error` at `time`: dead when the error is
 * non-retriable or no attempt is left, else failed until runAt = time + backoff (whole ms, rounded up).
 */
export function toFailedJob(
  job: Job,
  error: unknown,
  time: number,
  backoff: BackoffOptions,
  random: () => number,
): Job {
  const message = toErrorMessage(error)
  const entry: JobAttemptError = { attempt: job.attempts, message, at: time }
  const stack = toErrorStack(error)
  if (stack !== undefined) entry.stack = stack
  const dead = isNonRetriableError(error) || job.attempts >= job.maxAttempts
  return {
    ...job,
    status: dead ? 'dead' : 'failed',
    errors: [...job.errors, entry],
    lastError: message,
    finishedAt: dead ? time : null,
    runAt: dead ? job.runAt : time + Math.ceil(toBackoffDelay(job.attempts, backoff, random)),
  }
}

/** A dead, failed or cancelled job made pending again with fresh attempts; other jobs as they are. */
export function toRetriedJob(job: Job, time: number): Job {
  if (job.status !== 'dead' && job.status !== 'failed' && job.status !== 'cancelled') return job
  return { ...job, status: 'pending', attempts: 0, runAt: time, finishedAt: null }
}

/** A pending or failed job cancelled at `time`; other jobs as they are. */
export function toCancelledJob(job: Job, time: number): Job {
  if (job.status !== 'pending' && job.status !== 'failed') return job
  return { ...job, status: 'cancelled', finishedAt: time }
}

/** A running job whose attempt was cut off by shutdown: pending again, the unfinished attempt not counted. */
export function toInterruptedJob(job: Job, time: number): Job {
  return { ...job, status: 'pending', attempts: Math.max(0, job.attempts - 1), runAt: time }
}

const CUT_OFF = 'The process stopped while attempt'

/** True for a job whose last record is a cut-off: it runs again alone, as a suspect of the stop. */
export function isCutOff(job: Pick<Job, 'lastError'>): boolean {
  return job.lastError?.startsWith(CUT_OFF) ?? false
}

/**
 * A job found running when the store opened, so the process running it died. A job cut off beside
 * others is not charged: it is pending again, the attempt not counted, and runs next alone (a
 * suspect). A suspect cut off, so running alone, took the process down: the attempt counts as failed,
 * and it stays a suspect, so a job that kills its process every time ends in the dead-letter queue
 * while the jobs beside it never pay for it.
 */
export function toCutOffJob(job: Job, time: number): Job {
  const charged = isCutOff(job)
  const message = charged
    ? `${CUT_OFF} ${job.attempts} was running alone, after an earlier stop; the job is taken to stop the process, so the attempt counts as failed.`
    : `${CUT_OFF} ${job.attempts} was running; the job runs again alone, and that attempt does not count.`
  const errors = [...job.errors, { attempt: job.attempts, message, at: time }]
  if (!charged) return { ...toInterruptedJob(job, time), errors, lastError: message }
  const dead = job.attempts >= job.maxAttempts
  return { ...job, status: dead ? 'dead' : 'failed', errors, lastError: message, finishedAt: dead ? time : null, runAt: time }
}
