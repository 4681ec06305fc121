import type { Database } from 'better-sqlite3'
import { toStorageError } from './to-storage-error.ts'

/**
 * Group commit for one connection. The first write of a turn of the event loop opens a transaction
 * and schedules its COMMIT with setImmediate, so every write until then (emits, state writes, job
 * claims and completions of all the microtasks of that turn) shares one commit. A caller that must
 * not go on before its write is durable (an emit, a state write) awaits `committed()`.
 */
export interface WriteBatch {
  /** Called before a write: opens the batch when none is open and no other transaction is running. */
  join(): void
  /** Resolves once the writes made so far are committed; rejects with the error of a failed COMMIT (a full or failing disk as a BackendUnavailableError). */
  committed(): Promise<void>
  /** Commits the open batch now, if any. */
  commit(): void
  /** Adds a listener for a failed COMMIT, called after the batch was rolled back; returns the remover. */
  onRollback(listener: (error: unknown) => void): () => void
  /** Commits, then lets later writes commit on their own. Idempotent. */
  close(): void
}

interface Waiter {
  resolve: () => void
  reject: (error: unknown) => void
}

const batches = new WeakMap<Database, WriteBatch>()

/** The one batch of a connection, shared by every store that writes through it. */
export function writeBatchOf(db: Database): WriteBatch {
  let batch = batches.get(db)
  if (!batch) {
    batch = createWriteBatch(db)
    batches.set(db, batch)
  }
  return batch
}

function createWriteBatch(db: Database): WriteBatch {
  const begin = db.prepare('BEGIN IMMEDIATE')
  const commitStatement = db.prepare('COMMIT')
  const rollback = db.prepare('ROLLBACK')
  const rollbackListeners = new Set<(error: unknown) => void>()
  let open = false
  let closed = false
  let timer: NodeJS.Immediate | undefined
  let waiters: Waiter[] = []

  const settle = (error: unknown): void => {
    const settled = waiters
    waiters = []
    for (const waiter of settled) {
      if (error === undefined) waiter.resolve()
      else waiter.reject(error)
    }
  }

  const commit = (): void => {
    if (timer !== undefined) clearImmediate(timer)
    timer = undefined
    if (!open) return
    open = false
    if (!db.open || !db.inTransaction) {
      settle(undefined)
      return
    }
    try {
      commitStatement.run()
    } catch (error) {
      if (db.inTransaction) rollback.run()
      for (const listener of rollbackListeners) listener(error)
      settle(toStorageError(error, db.name))
      return
    }
    settle(undefined)
  }

  return {
    join() {
      if (open || closed || db.inTransaction) return
      begin.run()
      open = true
      timer = setImmediate(commit)
    },
    committed() {
      if (!open) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        waiters.push({ resolve, reject })
      })
    },
    commit,
    onRollback(listener) {
      rollbackListeners.add(listener)
      return () => {
        rollbackListeners.delete(listener)
      }
    },
    close() {
      commit()
      closed = true
      batches.delete(db)
    },
  }
}
