/** Helpers of the Queue contract suite: job and consumer defaults, and ways to wait without sleeping. */
import type { ConsumerOptions, JobEvent, NewJob, Queue } from './queue.ts'

/** The step most contract tests enqueue to and consume. */
export const contractStep = 'contract-step'

/** A consumer with a 5 s timeout and a 10-100 ms backoff, overridable. */
export function toConsumerOptions(overrides: Partial<ConsumerOptions> = {}): ConsumerOptions {
  return { concurrency: 1, timeoutMs: 5_000, fifo: false, backoff: { baseMs: 10, maxMs: 100 }, ...overrides }
}

/** A job for the contract step with no retries, overridable. */
export function toNewJob(overrides: Partial<NewJob> = {}): NewJob {
  return { step: contractStep, topic: 'contract.topic', data: {}, traceId: 'trace-1', maxRetries: 0, ...overrides }
}

/** The `name` field of a job's data, as the contract tests set it. */
export function nameOf(data: unknown): string {
  return String((data as { name?: unknown } | null)?.name)
}

/** A promise and the function that resolves it. */
export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
}

/** A promise with its resolve function, to release a waiting handler from the test. */
export function createDeferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => {}
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

/** Counts occurrences and lets a test wait until the count reaches a number. */
export interface Counter {
  readonly count: number
  add(): void
  reached(count: number): Promise<void>
}

/** Creates a counter at zero. */
export function createCounter(): Counter {
  let count = 0
  let waiters: Array<{ count: number; resolve: () => void }> = []
  return {
    get count() {
      return count
    },
    add() {
      count += 1
      const ready = waiters.filter((waiter) => waiter.count <= count)
      waiters = waiters.filter((waiter) => waiter.count > count)
      for (const waiter of ready) waiter.resolve()
    },
    reached(target) {
      if (count >= target) return Promise.resolve()
      return new Promise((resolve) => waiters.push({ count: target, resolve }))
    },
  }
}

/** Resolves with the first event the queue reports that matches. */
export function nextEvent(queue: Queue, matches: (event: JobEvent) => boolean): Promise<JobEvent> {
  return new Promise((resolve) => {
    const stop = queue.onEvent((event) => {
      if (!matches(event)) return
      stop()
      resolve(event)
    })
  })
}

/** Every event the queue reports from now on. */
export function recordEvents(queue: Queue): JobEvent[] {
  const events: JobEvent[] = []
  queue.onEvent((event) => events.push(event))
  return events
}

/** Resolves after everything already queued on the event loop has run: a turn, not a timed wait. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Resolves with the first truthy value of `read`, polled every 10 ms until `deadlineMs`. On Redis a job is
 * active for the round trip that checks a limit, so a read right after an event may see it running.
 */
export async function eventually<T>(read: () => Promise<T | null | undefined | false>, deadlineMs = 5_000): Promise<T> {
  const deadline = Date.now() + deadlineMs
  for (;;) {
    const value = await read()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`No such state within ${deadlineMs} ms.`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
