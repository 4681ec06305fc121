import type { AttemptAbort } from './attempt-abort.ts'
/**
 * The job queue: every (event, subscriber) pair is a job that a backend stores, schedules and runs
 * with retries, backoff, timeout, concurrency and FIFO groups. Implementations expose no client
 * type, so memory, SQLite and BullMQ are interchangeable and share one contract suite.
 */

/** `skipped`: dropped by a throttle before it ran, with the reason in lastError. */
export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'dead' | 'skipped'

export interface JobAttemptError {
  attempt: number
  message: string
  at: number
  /** Kept in the store; the HTTP layer only sends it to authorized callers. */
  stack?: string
}

export interface Job {
  id: string
  step: string
  topic: string
  data: unknown
  traceId: string
  /** `failed` means waiting for a retry; `dead` is the dead-letter queue. */
  status: JobStatus
  attempts: number
  maxAttempts: number
  lastError: string | null
  errors: JobAttemptError[]
  messageGroupId: string | null
  priority: number
  createdAt: number
  startedAt: number | null
  finishedAt: number | null
  /** Earliest time (ms since epoch) the job may run next. */
  runAt: number
  /** Set by get() and list() on a pending or failed job that flow control holds back. */
  wait?: JobWait
  /** The W3C `traceparent` of the emit that queued the job, kept so its attempts join that trace; absent when tracing was off. */
  traceContext?: string
  /** On a step with `batch`: the batch its latest attempt ran in, shared by every job of that batch (a retry keeps it); absent before its first attempt. */
  batchId?: string
}

/** One job to create: a delivery of an event to one subscribing step. */
export interface NewJob {
  step: string
  topic: string
  data: unknown
  traceId: string
  /** Retries after the first attempt; the job gets maxRetries + 1 attempts. */
  maxRetries: number
  messageGroupId?: string | null
  /** Milliseconds before the first attempt may run. */
  delayMs?: number
  /** Higher runs first; default 0. */
  priority?: number
  /** Jobs of one emit share a key; a second enqueue with the same key (and step) creates nothing. */
  idempotencyKey?: string
  /** The W3C `traceparent` of the emit, stored with the job. */
  traceContext?: string
}

/** How a step consumes its jobs. */
export interface ConsumerOptions {
  /** Jobs of this step running at once. */
  concurrency: number
  /** Milliseconds an attempt may run before it fails with HandlerTimeoutError. */
  timeoutMs: number
  /** When true, jobs with the same messageGroupId run one at a time in creation order, across retries. */
  fifo: boolean
  /** Exponential backoff between attempts, with jitter. */
  backoff: { baseMs: number; maxMs: number }
  /** At most `limit` attempts start in any `periodMs`; none when absent. */
  rateLimit?: RateLimit
  /** At most `limit` attempts of one key at once, on top of `concurrency`; none when absent. */
  keyConcurrency?: KeyConcurrency
  /** Collapses emits of one key; none when absent. */
  debounce?: Debounce
  /** Skips emits over `limit` per `periodMs` (per key); none when absent. */
  throttle?: RateLimit
  /** Runs the handler once for up to `maxSize` jobs (of one key); none when absent. */
  batch?: Batch
}

/** Jobs of one key run together, `maxSize` at most, once that many are due or `timeoutMs` after the first came due. */
export interface Batch {
  maxSize: number
  timeoutMs: number
  /** One key for the whole step when the config names none. */
  keyOf: (data: unknown) => string
}

/** Emits of one key within `periodMs` collapse into one job with the latest data, run once they go quiet (or after `maxWaitMs`). */
export interface Debounce {
  periodMs: number
  maxWaitMs: number | null
  /** One key for the whole step when the config names none. */
  keyOf: (data: unknown) => string
}

/** A limit of attempts at once per value of `keyOf(job.data)`. */
export interface KeyConcurrency {
  limit: number
  keyOf: (data: unknown) => string
}

/** A rate limit as the queue applies it: per value of `keyOf(job.data)`, or one for the step when keyOf is null. */
export interface RateLimit {
  limit: number
  periodMs: number
  keyOf: ((data: unknown) => string) | null
}

/** Why a waiting job has not started: its step is paused, its rate limit is used up, or its key runs its most attempts at once. */
export interface JobWait {
  reason: 'rate-limited' | 'concurrency-limited' | 'debounced' | 'paused' | 'batching'
  /** When it may start (ms since epoch); null while paused. */
  until: number | null
}

/**
 * Runs one attempt of a job; a rejection is a failed attempt. `abort` fires on timeout, and when the queue gives up on the attempt at close.
 * With `ConsumerOptions.batch`, one call is one attempt of every job in `batch` (in queue order; `job` is its first).
 */
export type JobHandler = (job: Job, abort: AttemptAbort, batch?: readonly Job[]) => Promise<void>

export interface JobFilter {
  status?: JobStatus
  step?: string
  topic?: string
  traceId?: string
  /** Case-sensitive text searched in the JSON of the payload. */
  search?: string
  /** Default 50. */
  limit?: number
  offset?: number
}

export interface JobStats {
  byStatus: Record<JobStatus, number>
  byStep: Record<string, Partial<Record<JobStatus, number>>>
  /** Jobs waiting to run: pending plus failed (waiting for a retry). */
  depth: number
  /** Age of the oldest job with status `pending` (failed jobs waiting for a retry not included). */
  oldestPendingAgeMs: number | null
  runTimeMs: { p50: number | null; p95: number | null }
}

/**
 * What the queue reports as jobs change, for logs, traces and live views. The events of one attempt of a
 * single job carry its `attempt`, the object its handler gets, from 'started' to its end (a batch's jobs,
 * which share one, carry none).
 */
export type JobEvent =
  | { type: 'started'; job: Job; attempt?: AttemptAbort }
  | { type: 'completed'; job: Job; durationMs: number; attempt?: AttemptAbort }
  | { type: 'failed'; job: Job; error: unknown; willRetry: boolean; attempt?: AttemptAbort }
  | { type: 'cancelled'; job: Job }

export interface Queue {
  /** Creates jobs; resolves once they are stored (durable backends: committed). */
  enqueue(jobs: NewJob[]): Promise<Job[]>
  /** Starts (or replaces) the consumer of a step; replacing keeps its jobs and their order. */
  consume(step: string, options: ConsumerOptions, handler: JobHandler): void
  /** Stops taking new jobs for a step; its pending jobs stay stored. */
  stopConsuming(step: string): void
  /** Holds a step's jobs (in every process sharing the store) until resume(); running jobs finish, new ones accumulate. */
  pause(step: string): Promise<void>
  resume(step: string): Promise<void>
  /** The steps paused now, sorted. */
  pausedSteps(): Promise<string[]>
  get(id: string): Promise<Job | null>
  /** Matching jobs newest first; `total` counts every match, not only the page. */
  list(filter?: JobFilter): Promise<{ jobs: Job[]; total: number }>
  /** Makes a dead, failed or cancelled job pending again with a fresh set of attempts. */
  retry(id: string): Promise<Job | null>
  /** Cancels a pending or failed job; a running job is not interrupted. */
  cancel(id: string): Promise<Job | null>
  stats(): Promise<JobStats>
  /** Adds a listener for job events of the given types (default: all); returns the function that removes it. */
  onEvent(listener: (event: JobEvent) => void, types?: ReadonlyArray<JobEvent['type']>): () => void
  /**
   * Resolves when no job with a consumer is pending, running or waiting for a retry (delayed jobs
   * included) and no attempt is in flight; at once after close().
   */
  drain(): Promise<void>
  /**
   * Stops taking jobs, waits for running ones up to graceMs (default 10 s), and releases resources.
   * Attempts still running then are aborted and their jobs become pending again without counting the
   * attempt. Pending drain() calls resolve; enqueue() rejects from now on. Idempotent.
   */
  close(graceMs?: number): Promise<void>
}
