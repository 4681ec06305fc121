import { HandlerTimeoutError, MotiaError } from '../errors.ts'
import { toSafeSink } from '../feed.ts'
import { createAlarm } from './alarm.ts'
import { AttemptAbort } from './attempt-abort.ts'
import { createDeadlineWatch } from './deadline-watch.ts'
import { type Batcher, createBatcher, toFailedBatch } from './batcher.ts'
import { createDebouncer, NO_DEBOUNCE } from './debouncer.ts'
import { createFlowGate, OPEN_GATE, toSentBackJob } from './flow-gate.ts'
import { createThrottler, NO_THROTTLE } from './throttler.ts'
import { createMemoryFlowStore, type FlowStore } from './flow-store.ts'
import { createJobEvents } from './job-events.ts'
import type { JobStore } from './job-store.ts'
import { checkNewJob } from './new-job-checks.ts'
import { createCommitOrder } from './commit-order.ts'
import { toJobStats } from './job-stats.ts'
import {
  toCancelledJob,
  toCompletedJob,
  toCreatedJob,
  toFailedJob,
  toInterruptedJob,
  toRetriedJob,
} from './job-transitions.ts'
import { type Attempt, checkConsumerOptions, type Consumer, jobsOf, type StepSlot } from './consumer-slot.ts'
import type { Job, NewJob, Queue } from './queue.ts'

/** Clock, jitter, idempotency window, error sink and shutdown grace of a dispatching queue. */
export interface DispatcherOptions {
  /** Clock for job timestamps, runAt and timeouts (ms since epoch). */
  now?: () => number
  /** Source of backoff jitter in [0, 1). */
  random?: () => number
  /** How long an idempotency key keeps a second enqueue from creating a job; default 24 h. */
  idempotencyWindowMs?: number
  /** Receives errors that have no caller to reject: a failing store during scheduling, a throwing listener. */
  onError?: (error: unknown) => void
  /** How long close() without an argument waits for running attempts; default 10 s. */
  closeGraceMs?: number
  /** Where rate-limit windows and paused steps live; default in memory. A durable store keeps them across restarts. */
  flowStore?: FlowStore
}

const dayMs = 24 * 60 * 60 * 1000
const reclaimDelayMs = 1_000
/** What an attempt holds for the moment between its creation and its own AttemptAbort's. */
const unowned = new AttemptAbort()

/**
 * Creates a Queue that runs consumers, concurrency, timeouts, retries with backoff, dead-lettering
 * and events over any JobStore, so a backend only implements storage.
 */
export function createDispatchingQueue(store: JobStore, options: DispatcherOptions = {}): Queue {
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const idempotencyWindowMs = options.idempotencyWindowMs ?? dayMs
  const onError = toSafeSink(options.onError)
  const flowStore = options.flowStore ?? createMemoryFlowStore()
  const slots = new Map<string, StepSlot>()
  const events = createJobEvents(onError)
  const inFlight = new Set<Attempt>()
  let consumed: string[] = []
  let drainWaiters: Array<() => void> = []
  let dirty = new Set<string>()
  let flushQueued = false
  let closed = false
  let closing: Promise<void> | null = null
  let onAttemptsSettled: (() => void) | null = null
  /** Attempts claimed by the current flush. */
  let claimed: Attempt[] = []
  const commits = createCommitOrder(store)
  const { committed } = commits

  const isIdle = (): boolean => inFlight.size === 0 && store.countUnsettled(consumed) === 0

  const resolveDrains = (): void => {
    const waiters = drainWaiters
    drainWaiters = []
    for (const resolve of waiters) resolve()
  }

  const pump = (slot: StepSlot, time: number): void => {
    slot.heldUntil = null
    for (;;) {
      const consumer = slot.consumer
      if (closed || !consumer || slot.running >= consumer.options.concurrency || slot.paused) return
      const opensAt = consumer.gate.opensAt(time)
      if (opensAt > time) {
        slot.heldUntil = opensAt
        return
      }
      if (consumer.batcher) return startBatches(slot, consumer, consumer.batcher, time)
      const job = store.claimNext(slot.name, time, consumer.options.fifo)
      if (!job) return
      const retryAt = consumer.gate.admit(job, time)
      if (retryAt > time) store.update(toSentBackJob(job, retryAt))
      else start(slot, consumer, job)
    }
  }

  /** Starts the batches that may start, as many as the step's free slots; wakes at the next batch's timeout. */
  const startBatches = (slot: StepSlot, consumer: Consumer, batcher: Batcher, time: number): void => {
    const { batches, wakeAt } = batcher.claim(slot.name, time, consumer.options.concurrency - slot.running)
    slot.heldUntil = wakeAt
    for (const jobs of batches) start(slot, consumer, jobs[0] as Job, jobs)
  }

  /** The next wake-up: the earliest due job, or the earliest time a shared rate limit lets a held step go on. */
  const nextWake = (time: number): number | null => {
    let at = store.nextRunAt(consumed, time)
    for (const step of consumed) {
      const heldUntil = slots.get(step)?.heldUntil ?? null
      if (heldUntil !== null && (at === null || heldUntil < at)) at = heldUntil
    }
    return at
  }

  const slotOf = (step: string): StepSlot => {
    let slot = slots.get(step)
    if (!slot) {
      slot = { name: step, consumer: null, running: 0, paused: isPaused(step), heldUntil: null }
      slots.set(step, slot)
    }
    return slot
  }

  const isPaused = (step: string): boolean => flowStore.pausedSteps().includes(step)

  /** True when enqueuing `newJob` writes nothing but its insert: no idempotency key to look up, no throttle or debounce state. */
  const isSingleInsert = (newJob: NewJob): boolean => {
    if (newJob.idempotencyKey) return false
    const consumer = slots.get(newJob.step)?.consumer
    return !consumer || (consumer.throttler === NO_THROTTLE && consumer.debouncer === NO_DEBOUNCE)
  }

  /** The job as the jobs API shows it: with why it waits when a pause or a rate limit holds it. */
  const withWait = (job: Job, time: number): Job => {
    if (job.status !== 'pending' && job.status !== 'failed') return job
    const slot = slots.get(job.step)
    if (!slot) return job
    if (slot.paused) return { ...job, wait: { reason: 'paused', until: null } }
    const { gate, debouncer, batcher } = slot.consumer ?? { gate: OPEN_GATE, debouncer: NO_DEBOUNCE, batcher: null }
    const wait = gate.waitOf(job, time) ?? debouncer.waitOf(job, time) ?? batcher?.waitOf(job, time)
    return wait ? { ...job, wait } : job
  }

  /** The pending jobs of a step, newest first (a debouncer reads them once). */
  const waitingJobs = (step: string): Job[] => {
    const found: Job[] = []
    for (let offset = 0; ; offset += 1000) {
      const { jobs } = store.list({ step, status: 'pending', limit: 1000, offset })
      found.push(...jobs)
      if (jobs.length < 1000) return found
    }
  }

  /** Makes a job that waits for a key slot due now; false when it no longer waits. */
  const wakeJob = (jobId: string): boolean => {
    const time = now()
    const job = store.get(jobId)
    if (!job || (job.status !== 'pending' && job.status !== 'failed')) return false
    if (job.runAt > time) store.update({ ...job, runAt: time })
    schedule(job.step)
    return true
  }

  const setPaused = async (step: string, paused: boolean): Promise<void> => {
    store.transaction(() => flowStore.setPaused(step, paused))
    slotOf(step).paused = paused
    schedule(step)
    await store.durable?.()
  }

  const flush = (): void => {
    flushQueued = false
    const steps = dirty
    dirty = new Set()
    // One clock reading for claims and the next wake-up: a job due between two readings would get no timer.
    const time = now()
    for (const step of steps) {
      const slot = slots.get(step)
      if (!slot) continue
      try {
        pump(slot, time)
      } catch (error) {
        onError(error)
      }
    }
    try {
      wake.set(closed || consumed.length === 0 ? null : nextWake(time))
      if (drainWaiters.length > 0 && isIdle()) resolveDrains()
    } catch (error) {
      onError(error)
    }
    if (claimed.length > 0) runClaimed()
  }

  /**
   * Runs the attempts this flush claimed; while an insert waits for its commit, only once it is
   * committed, so an emit that answers an error never ran a job. A failed commit rolled the inserts
   * and claims back: those attempts never run, and jobs are claimed again a second later.
   */
  const runClaimed = (): void => {
    const attempts = claimed
    claimed = []
    if (!store.durable || !commits.insertsWaiting) {
      for (const attempt of attempts) run(attempt)
      return
    }
    store.durable().then(
      () => {
        for (const attempt of attempts) run(attempt)
      },
      // The store reports the failed commit itself.
      (error: unknown) => {
        for (const attempt of attempts) {
          if (attempt.done) continue
          release(attempt)
          try {
            attempt.consumer.gate.finished(attempt.job, now())
          } catch (gateError) {
            onError(gateError)
          }
          attempt.abort.abort(error)
        }
        if (!closed) reclaim.set(now() + reclaimDelayMs)
      },
    )
  }

  const schedule = (step: string): void => {
    dirty.add(step)
    if (flushQueued) return
    flushQueued = true
    queueMicrotask(flush)
  }

  const pumpAll = (): void => {
    for (const step of consumed) dirty.add(step)
    flush()
  }
  const wake = createAlarm(now, pumpAll, onError)
  // After a failed commit: the store (a full disk) gets a second before claims are tried again.
  const reclaim = createAlarm(now, pumpAll, onError)

  const release = (attempt: Attempt): void => {
    attempt.done = true
    attempt.slot.running -= 1
    inFlight.delete(attempt)
    deadlines.delete(attempt)
    if (inFlight.size === 0) onAttemptsSettled?.()
  }

  const complete = (job: Job, time: number, attempt: AttemptAbort | undefined): void => {
    const completed = toCompletedJob(job, time)
    store.update(completed)
    if (events.wants('completed')) events.report({ type: 'completed', job: completed, durationMs: time - (job.startedAt ?? time), attempt })
  }

  const record = (attempt: Attempt, error: unknown, failed: boolean): void => {
    const time = now()
    if (!failed) {
      if (attempt.batch) for (const job of attempt.batch) complete(job, time, undefined)
      else complete(attempt.job, time, attempt.abort)
      return
    }
    const { backoff } = attempt.consumer.options
    const batch = attempt.batch
    for (const next of batch ? toFailedBatch(batch, error, time, backoff, random) : [toFailedJob(attempt.job, error, time, backoff, random)]) {
      store.update(next)
      if (events.wants('failed')) {
        events.report({ type: 'failed', job: next, error, willRetry: next.status === 'failed', attempt: batch ? undefined : attempt.abort })
      }
    }
  }

  const finish = (attempt: Attempt, error: unknown, failed: boolean): void => {
    if (attempt.done) return
    release(attempt)
    try {
      attempt.consumer.gate.finished(attempt.job, now())
    } catch (gateError) {
      onError(gateError)
    }
    try {
      record(attempt, error, failed)
    } catch (storeError) {
      onError(storeError)
    }
    schedule(attempt.slot.name)
  }

  const timeOut = (attempt: Attempt): void => {
    const error = new HandlerTimeoutError(attempt.job.step, attempt.consumer.options.timeoutMs)
    finish(attempt, error, true)
    attempt.abort.abort(error)
  }

  const deadlines = createDeadlineWatch<Attempt>(now, timeOut, onError)

  /** A context call the handler did not await rejected while the attempt ran: the attempt fails with its error. */
  const failAttempt = (owner: unknown, error: unknown): void => {
    const attempt = owner as Attempt
    finish(attempt, error, true)
    attempt.abort.abort(error)
  }

  const start = (slot: StepSlot, consumer: Consumer, job: Job, batch: readonly Job[] | null = null): void => {
    const attempt: Attempt = {
      job,
      batch,
      slot,
      consumer,
      abort: unowned,
      deadline: (job.startedAt ?? now()) + consumer.options.timeoutMs,
      timeoutMs: consumer.options.timeoutMs,
      done: false,
    }
    attempt.abort = new AttemptAbort(failAttempt, attempt)
    slot.running += 1
    inFlight.add(attempt)
    deadlines.add(attempt)
    claimed.push(attempt)
  }

  const run = (attempt: Attempt): void => {
    if (attempt.done) return
    const { job, consumer } = attempt
    if (events.wants('started')) {
      if (attempt.batch) for (const started of attempt.batch) events.report({ type: 'started', job: started, attempt: undefined })
      else events.report({ type: 'started', job, attempt: attempt.abort })
    }
    let result: Promise<void>
    try {
      result = attempt.batch ? consumer.handler(job, attempt.abort, attempt.batch) : consumer.handler(job, attempt.abort)
    } catch (error) {
      finish(attempt, error, true)
      return
    }
    // finish() catches everything it calls, so the chained promise cannot reject.
    void Promise.resolve(result).then(
      () => finish(attempt, undefined, false),
      (error: unknown) => finish(attempt, error, true),
    )
  }

  const refreshConsumed = (): void => {
    consumed = []
    for (const slot of slots.values()) if (slot.consumer) consumed.push(slot.name)
  }

  /** Applies a user's change to a job atomically and durably; an unchanged job is returned as it is. */
  const change = async (id: string, transition: (job: Job, time: number) => Job): Promise<Job | null> => {
    const time = now()
    const job = store.transaction(() => {
      const found = store.get(id)
      if (!found) return null
      const next = transition(found, time)
      if (next !== found) store.update(next)
      return next
    })
    if (job) schedule(job.step)
    await store.durable?.()
    return job
  }

  const abandonRunning = (): void => {
    const time = now()
    for (const attempt of Array.from(inFlight)) {
      release(attempt)
      try {
        for (const job of jobsOf(attempt)) store.update(toInterruptedJob(job, time))
      } catch (error) {
        onError(error)
      }
      attempt.abort.abort(
        new MotiaError('QUEUE_CLOSED', `The queue closed before step "${attempt.job.step}" finished job ${attempt.job.id}.`),
      )
    }
  }

  const waitForAttempts = async (graceMs: number): Promise<void> => {
    if (inFlight.size === 0) return
    let graceTimer: ReturnType<typeof setTimeout> | undefined
    await new Promise<void>((resolve) => {
      onAttemptsSettled = resolve
      graceTimer = setTimeout(resolve, Math.max(0, graceMs))
    })
    clearTimeout(graceTimer)
    onAttemptsSettled = null
  }

  return {
    async enqueue(newJobs) {
      if (closing) {
        throw new MotiaError('QUEUE_CLOSED', 'The queue is closed. Enqueue jobs before calling close().')
      }
      for (const newJob of newJobs) checkNewJob(newJob)
      const time = now()
      const place = (newJob: NewJob): Job => {
        const key = newJob.idempotencyKey ?? null
        if (key !== null) {
          const existing = store.findByIdempotencyKey(newJob.step, key, time - idempotencyWindowMs)
          if (existing) return existing
        }
        const consumer = slots.get(newJob.step)?.consumer
        const accepted = (consumer?.throttler ?? NO_THROTTLE)(toCreatedJob(newJob, time), time)
        const job = accepted.status === 'skipped' ? accepted : (consumer?.debouncer ?? NO_DEBOUNCE).place(accepted, time)
        store.insert(job, key)
        return job
      }
      const only = newJobs.length === 1 ? newJobs[0] : undefined
      // One job with no key, throttle or debounce is one insert, atomic on its own: no transaction
      // around it (on SQLite a savepoint, two more statements for every emit of a fan-out).
      const jobs = only && isSingleInsert(only) ? [place(only)] : store.transaction(() => newJobs.map(place))
      for (const job of jobs) if (slots.get(job.step)?.consumer) schedule(job.step)
      await commits.inserted()
      return jobs
    },

    consume(step, consumerOptions, handler) {
      checkConsumerOptions(step, consumerOptions)
      const slot = slotOf(step)
      const gate = createFlowGate(step, consumerOptions, flowStore, { wake: wakeJob })
      const debouncer = consumerOptions.debounce ? createDebouncer(consumerOptions.debounce, store, waitingJobs(step)) : NO_DEBOUNCE
      const throttler = consumerOptions.throttle ? createThrottler(step, consumerOptions.throttle, flowStore) : NO_THROTTLE
      const batcher = consumerOptions.batch ? createBatcher(consumerOptions.batch, store) : null
      slot.consumer = { options: { ...consumerOptions }, handler, gate, throttler, debouncer, batcher }
      refreshConsumed()
      schedule(step)
    },

    stopConsuming(step) {
      const slot = slots.get(step)
      if (!slot?.consumer) return
      slot.consumer = null
      refreshConsumed()
      schedule(step)
    },

    get: (id) =>
      committed(() => {
        const job = store.get(id)
        return job && withWait(job, now())
      }),

    list: (filter = {}) =>
      committed(() => {
        const found = store.list({ ...filter, limit: filter.limit ?? 50, offset: filter.offset ?? 0 })
        const time = now()
        return { jobs: found.jobs.map((job) => withWait(job, time)), total: found.total }
      }),

    pause: (step) => setPaused(step, true),

    resume: (step) => setPaused(step, false),

    pausedSteps: async () => flowStore.pausedSteps(),

    retry: (id) => change(id, toRetriedJob),

    async cancel(id) {
      let cancelled = false
      const job = await change(id, (found, time) => {
        const next = toCancelledJob(found, time)
        cancelled = next !== found
        return next
      })
      if (job && cancelled && events.wants('cancelled')) events.report({ type: 'cancelled', job })
      return job
    },

    stats: () => committed(() => toJobStats(store.statsInput(), now())),

    onEvent: (listener, types) => events.listen(listener, types),

    async drain() {
      if (closed || isIdle()) return
      await new Promise<void>((resolve) => {
        drainWaiters.push(resolve)
      })
    },

    close(graceMs = options.closeGraceMs ?? 10_000) {
      closing ??= (async () => {
        closed = true
        wake.clear()
        reclaim.clear()
        await waitForAttempts(graceMs)
        abandonRunning()
        deadlines.clear()
        wake.clear()
        resolveDrains()
        store.close()
      })()
      return closing
    },
  }
}
