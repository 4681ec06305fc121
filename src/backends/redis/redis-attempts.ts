/**
 * One attempt of a job on a BullMQ worker: the handler with its timeout and abort signal, the error
 * history BullMQ does not keep, the planned retry time that the custom backoff hands to BullMQ, and
 * the queue's started / completed / failed events.
 */
import { type Job as BullJob, UnrecoverableError } from 'bullmq'
import { HandlerTimeoutError, toErrorMessage } from '../../errors.ts'
import type { BackoffOptions } from '../../queue/backoff.ts'
import { isNonRetriableError, toFailedJob } from '../../queue/job-transitions.ts'
import { AttemptAbort } from '../../queue/attempt-abort.ts'
import { createDeadlineWatch } from '../../queue/deadline-watch.ts'
import type { JobEvents } from '../../queue/job-events.ts'
import type { Job, JobHandler } from '../../queue/queue.ts'
import { type JobRecord, toJob, toJobId } from './redis-job-record.ts'

/** What an attempt needs of its step's consumer. */
export interface AttemptOptions {
  timeoutMs: number
  backoff: BackoffOptions
  /** One job's part of a batch attempt: its timeout counts from the batch's start, and it retries with the batch's jitter. */
  batchPart?: { startedAt: number; jitter: number }
}

export interface AttemptsOptions {
  now: () => number
  random: () => number
  events: JobEvents
  onError: (error: unknown) => void
}

/** The attempts running in this process, and the hooks the worker calls. */
export interface Attempts {
  /** The worker's processor: runs one attempt; a rejection fails it in BullMQ. */
  run(step: string, bullJob: BullJob<JobRecord>, options: AttemptOptions, handler: JobHandler): Promise<void>
  /** BullMQ's custom backoff: the wait until the retry time the failed attempt planned. */
  backoffDelay(attemptsMade: number, type?: string, error?: Error): number
  /** BullMQ recorded a completion. */
  completed(step: string, bullJob: BullJob<JobRecord>): void
  /** BullMQ recorded a failure; true when the job is now dead. */
  failed(step: string, bullJob: BullJob<JobRecord>, error: Error): boolean
  /** Attempts started here whose outcome BullMQ has not recorded yet. */
  running(): number
  /** Resolves at the next started, completed or failed attempt, or after `timeoutMs`. */
  nextChange(timeoutMs: number): Promise<void>
  /** Aborts every running attempt (the queue gave up waiting for them on close). */
  abandonAll(): void
  /** Wakes every nextChange waiter. */
  wakeAll(): void
}

/** An attempt running in this process. */
interface Running {
  step: string
  abort: AttemptAbort
  /** When its timeout fails it, for the one deadline watch of all attempts. */
  deadline: number
  timeoutMs: number
  /** Ends the attempt's wait with `reason`: on timeout, and on close, when the worker must stop even if the handler never returns. */
  abandon(reason: unknown): void
  /** Set when the queue closed before the attempt ended: not a failed attempt. */
  abandoned: boolean
}

const ignore = (): void => {}
/** What an attempt holds for the moment between its creation and its own AttemptAbort's. */
const unowned = new AttemptAbort()

/** A context call the handler did not await rejected while the attempt ran: the attempt fails with its error. */
const failRunning = (owner: unknown, error: unknown): void => {
  const running = owner as Running
  running.abort.abort(error)
  running.abandon(error)
}

/** Creates the attempt bookkeeping of one Redis queue. */
export function createAttempts(options: AttemptsOptions): Attempts {
  const { now, random, events } = options
  // By job id: a BullMQ id alone is a counter of the step's own queue, so two steps' running jobs can share one.
  const inFlight = new Map<string, Running>()
  const plannedRunAt = new WeakMap<Error, number>()
  const originals = new WeakMap<Error, unknown>()
  let waiters: Array<() => void> = []

  const wakeAll = (): void => {
    if (waiters.length === 0) return
    const woken = waiters
    waiters = []
    for (const wake of woken) wake()
  }
  const settle = (id: string): void => {
    inFlight.delete(id)
    wakeAll()
  }

  // One timer for the timeouts of every running attempt, instead of a timer per job.
  const deadlines = createDeadlineWatch<Running>(
    now,
    (running) => {
      const error = new HandlerTimeoutError(running.step, running.timeoutMs)
      running.abort.abort(error)
      running.abandon(error)
    },
    options.onError,
  )

  /** The handler raced against its deadline in one promise: no signal listener and no extra promises. */
  const attempt = (job: Job, handler: JobHandler, running: Running): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      running.abandon = reject
      deadlines.add(running)
      try {
        handler(job, running.abort).then(resolve, reject)
      } catch (error) {
        reject(error)
      }
    })

  /** Records a failed attempt in the job's data and hands BullMQ the error it fails the job with. */
  const fail = async (bullJob: BullJob<JobRecord>, job: Job, error: unknown, running: Running, attemptOptions: AttemptOptions): Promise<never> => {
    // Abandoned on close: not a failed attempt; BullMQ runs the job again once its lock expires.
    if (running.abandoned) throw error
    const batch = attemptOptions.batchPart
    // The same record of the attempt, and the same retry time, as every other backend.
    const { errors, runAt } = toFailedJob(job, error, now(), attemptOptions.backoff, batch ? () => batch.jitter : random)
    await bullJob.updateData({ ...bullJob.data, errors, runAt })
    const thrown = toBullError(error)
    plannedRunAt.set(thrown, runAt)
    originals.set(thrown, error)
    throw thrown
  }

  return {
    run(step, bullJob, attemptOptions, handler) {
      const job = toJob(step, bullJob, 'active')
      const { timeoutMs } = attemptOptions
      const batch = attemptOptions.batchPart
      const started = batch?.startedAt ?? job.startedAt ?? now()
      const running: Running = { step, abort: unowned, deadline: started + timeoutMs, timeoutMs, abandon: ignore, abandoned: false }
      running.abort = new AttemptAbort(failRunning, running)
      inFlight.set(job.id, running)
      if (events.wants('started')) events.report({ type: 'started', job, attempt: running.abort })
      wakeAll()
      // Not an async function: a then() with two callbacks is all a completed attempt costs on top of the handler.
      return attempt(job, handler, running).then(
        () => {
          deadlines.delete(running)
        },
        (error: unknown) => {
          deadlines.delete(running)
          return fail(bullJob, job, error, running, attemptOptions)
        },
      )
    },

    backoffDelay(_attemptsMade, _type, error) {
      const runAt = error ? plannedRunAt.get(error) : undefined
      return runAt === undefined ? 0 : Math.max(0, runAt - Date.now())
    },

    completed(step, bullJob) {
      const id = toJobId(step, bullJob.id)
      const attempt = inFlight.get(id)?.abort
      settle(id)
      if (!events.wants('completed')) return
      const job = toJob(step, bullJob, 'completed')
      events.report({ type: 'completed', job, durationMs: (job.finishedAt ?? 0) - (job.startedAt ?? 0), attempt })
    },

    failed(step, bullJob, error) {
      const dead = bullJob.finishedOn !== undefined && bullJob.finishedOn !== null
      const id = toJobId(step, bullJob.id)
      const attempt = inFlight.get(id)?.abort
      settle(id)
      if (events.wants('failed')) {
        const job = toJob(step, bullJob, dead ? 'failed' : 'delayed')
        events.report({ type: 'failed', job, error: originals.get(error) ?? error, willRetry: !dead, attempt })
      }
      return dead
    },

    running: () => inFlight.size,

    nextChange(timeoutMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== wake)
          resolve()
        }, timeoutMs)
        const wake = (): void => {
          clearTimeout(timer)
          resolve()
        }
        waiters.push(wake)
      })
    },

    abandonAll() {
      for (const [id, running] of inFlight) {
        const reason = new Error(`The queue closed before job ${id} finished; it runs again after its lock expires.`)
        running.abandoned = true
        running.abort.abort(reason)
        running.abandon(reason)
      }
      inFlight.clear()
    },

    wakeAll,
  }
}

/**
 * What the worker throws for a failed attempt: a non-retriable error becomes BullMQ's UnrecoverableError,
 * and anything whose message or stack BullMQ could not read (a throwing getter) a plain Error.
 */
function toBullError(error: unknown): Error {
  if (isNonRetriableError(error)) return new UnrecoverableError(toErrorMessage(error))
  return isReadableError(error) ? error : new Error(toErrorMessage(error))
}

function isReadableError(error: unknown): error is Error {
  try {
    return error instanceof Error && typeof error.message === 'string' && (error.stack === undefined || typeof error.stack === 'string')
  } catch {
    return false
  }
}
