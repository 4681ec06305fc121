import type { Database } from 'better-sqlite3'
import { openDatabase } from './open-database.ts'
import { createDispatchingQueue, type DispatcherOptions } from '../../queue/dispatcher.ts'
import type { Queue } from '../../queue/queue.ts'
import { createSqliteFlowStore } from './sqlite-flow-store.ts'
import { createSqliteJobStore } from './sqlite-job-store.ts'

/** Where the SQLite queue keeps its jobs: a file it opens and closes, or a database someone else owns. */
export type SqliteQueueTarget = { file: string } | { db: Database }

/** Options of createSqliteQueue; every field is optional. */
export interface SqliteQueueOptions extends DispatcherOptions {
  /** Completed jobs kept, newest first; default 10,000. Dead and cancelled jobs are always kept. */
  keepCompleted?: number
  /** Completed jobs finished longer ago are deleted; default 7 days. */
  keepCompletedMs?: number
  /** How often the age limit is applied; default 10 minutes. */
  pruneIntervalMs?: number
}

/**
 * Creates a durable queue in a SQLite file (WAL): a job is committed before enqueue() resolves, and
 * jobs a killed process left running run again after the next open (at-least-once).
 * @example
 * const queue = createSqliteQueue({ file: '.motia-like/data.db' })
 * queue.consume('send-email', { concurrency: 5, timeoutMs: 30_000, fifo: false, backoff: { baseMs: 1000, maxMs: 60_000 } }, handler)
 */
export function createSqliteQueue(target: SqliteQueueTarget, options: SqliteQueueOptions = {}): Queue {
  const { keepCompleted, keepCompletedMs, pruneIntervalMs, ...dispatcherOptions } = options
  const ownsDb = 'file' in target
  const db = ownsDb ? openDatabase(target.file) : target.db
  try {
    const store = createSqliteJobStore(db, {
      now: options.now,
      onError: options.onError,
      keepCompleted,
      keepCompletedMs,
      pruneIntervalMs,
      closeDatabase: ownsDb,
    })
    return createDispatchingQueue(store, { flowStore: createSqliteFlowStore(db, options.onError ?? (() => {})), ...dispatcherOptions })
  } catch (error) {
    if (ownsDb) db.close()
    throw error
  }
}
