/**
 * Every change of a job's record, as pure functions: the meaning of a status change is written once
 * and every backend gets it through the dispatcher.
 */
import { NonRetriableError, toErrorMessage, toErrorStack } from '../errors.ts'
import { toBackoffDelay, type BackoffOptions } from './backoff.ts'
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
    id: crypto.randomUUID(),
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

/**
 * A job found running when the store opened, so the process running it died. The first cut-off is
 * free (pending again, attempt not counted); a later one counts as a failed attempt, so a job that
 * kills the process every time ends in the dead-letter queue instead of looping forever.
 */
export function toCutOffJob(job: Job, time: number): Job {
  const counted = job.errors.some((error) => error.message.startsWith(CUT_OFF))
  const message = counted
    ? `${CUT_OFF} ${job.attempts} was running, again; this time the attempt counts as failed.`
    : `${CUT_OFF} ${job.attempts} was running; the job was queued again and that attempt does not count.`
  const errors = [...job.errors, { attempt: job.attempts, message, at: time }]
  if (!counted) return { ...toInterruptedJob(job, time), errors, lastError: message }
  const dead = job.attempts >= job.maxAttempts
  return { ...job, status: dead ? 'dead' : 'failed', errors, lastError: message, finishedAt: dead ? time : null, runAt: time }
}
