/**
 * Storage under the dispatcher: a backend (memory, SQLite) implements only this and reuses the
 * dispatcher for consumers, retries, timeouts and events. Every method is synchronous so an embedded
 * database such as better-sqlite3 fits it directly; the store, not the dispatcher, decides which job
 * runs next, so the choice can be one indexed query.
 */
import type { Job, JobStatus } from './queue.ts'

/** A list query with its defaults resolved. */
export interface JobQuery {
  status?: JobStatus
  step?: string
  topic?: string
  traceId?: string
  /** Case-sensitive substring of `JSON.stringify(job.data)`. */
  search?: string
  limit: number
  offset: number
}

/** What `stats()` is computed from. */
export interface JobStatsInput {
  counts: Array<{ step: string; status: JobStatus; count: number }>
  /** createdAt of the oldest job with status `pending`. */
  oldestPendingCreatedAt: number | null
  /** finishedAt - startedAt of completed jobs, in any order; a store may return only recent ones. */
  runTimesMs: number[]
}

/** Job storage and selection, with no scheduling, timers or handlers. */
export interface JobStore {
  /** Runs `fn` atomically (a database transaction); stores without transactions just call it. */
  transaction<T>(fn: () => T): T
  /** Resolves once every write made so far would survive a crash; stores without a disk leave it out. */
  durable?(): Promise<void>
  /** Stores a new job (status pending) after every job inserted before it, remembering its idempotency key. */
  insert(job: Job, idempotencyKey: string | null): void
  /** The job of `step` stored with this key and created at or after `createdSince`, or null. */
  findByIdempotencyKey(step: string, key: string, createdSince: number): Job | null
  get(id: string): Job | null
  /**
   * Picks the next runnable job of a step and marks it running (attempts + 1, startedAt = now), or
   * returns null. Runnable: pending or failed with runAt <= now. Order: priority descending, then
   * insertion order. With `fifo`, a job is runnable only while it is the oldest pending, running or
   * failed job of its messageGroupId (null is one group).
   */
  claimNext(step: string, now: number, fifo: boolean): Job | null
  /**
   * The runnable jobs of a step (as claimNext defines them) in claim order, at most `limit`, left as
   * they are: a batch step's consumer chooses among them. A store that runs suspects of a crash alone
   * returns only the suspect while it must run, and nothing while one runs.
   */
  readyJobs(step: string, now: number, limit: number): Job[]
  /** Marks these jobs running as one batch (attempts + 1, startedAt = now, batchId) and returns them; a job no longer runnable is left out. */
  claimBatch(ids: readonly string[], now: number, batchId: string): Job[]
  /** Writes the mutable fields (status, attempts, errors, lastError, startedAt, finishedAt, runAt) of a stored job. */
  update(job: Job): void
  /** Matching jobs newest first, and how many match in all. */
  list(query: JobQuery): { jobs: Job[]; total: number }
  statsInput(): JobStatsInput
  /** Jobs of these steps that are pending, running or failed (waiting for a retry). */
  countUnsettled(steps: readonly string[]): number
  /**
   * Earliest runAt later than `after` among pending or failed jobs of these steps, or null; `after + 1` when a
   * delayed job had come due by `after` (no claim of its step has seen it since): it is made ready then, once.
   */
  nextRunAt(steps: readonly string[], after: number): number | null
  /** Releases the storage; called once by the queue's close(). */
  close(): void
}

/** True for a status that no longer changes without an explicit retry. */
export function isTerminalStatus(status: JobStatus): boolean {
  return status === 'completed' || status === 'dead' || status === 'cancelled' || status === 'skipped'
}
