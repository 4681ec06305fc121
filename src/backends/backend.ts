import type { CronLock } from '../cron/cron-lock.ts'
import type { Queue } from '../queue/queue.ts'
import type { StateStore } from '../state/state-store.ts'
import type { StreamStore } from '../streams/stream-store.ts'

/** Settings every backend's queue takes. */
export interface BackendQueueOptions {
  /** Completed jobs kept; the oldest go first. */
  keepCompleted: number
  /** Completed jobs finished longer ago are deleted (SQLite, Redis). */
  keepCompletedMs: number
  /** How long close() lets running jobs finish. */
  closeGraceMs: number
  /** Where errors of the queue's own machinery go (never a handler's). */
  onError(error: unknown): void
}

/** Whether one part of a backend answers now: a connection, a database file. */
export interface BackendHealth {
  /** What was checked, e.g. `sqlite`, `redis`, `redis (workers)`. */
  name: string
  ok: boolean
  /** Why it does not answer, when it does not. */
  error?: string
}

/** One backend opened as a whole: its queue, state, streams and cron lock, and what they share. */
export interface Backend {
  queue: Queue
  state: StateStore
  streams: StreamStore
  cronLock: CronLock
  /** Where jobs and state live, for the banner and GET /__motia/health. */
  store: string
  /** Checks each part the backend depends on, for GET /__motia/health; never rejects. */
  health(): Promise<BackendHealth[]>
  /** Releases what the stores share (a database, connections), after they closed. */
  release(): void | Promise<void>
}
