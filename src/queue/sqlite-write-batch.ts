import type { Database } from 'better-sqlite3'

/**
 * Group commit for one connection: the first write opens a transaction and queues its COMMIT as a
 * microtask, so every write made until then (claims and completions of one dispatch pass, other
 * writes on the shared connection) shares one commit. A promise continuation that follows a write was
 * queued after that COMMIT, so whoever awaits a write (an emit, a state.set) resumes with it committed.
 */
export interface WriteBatch {
  /** Called before a write: opens the batch when none is open and no other transaction is running. */
  join(): void
  /** Commits the open batch now, if any. */
  commit(): void
  /** Commits, then lets later writes commit on their own. Idempotent. */
  close(): void
}

/** Creates the batch of `db`; `onFailed` gets a failed COMMIT, after the batch was rolled back. */
export function createWriteBatch(db: Database, onFailed: (error: unknown) => void): WriteBatch {
  const begin = db.prepare('BEGIN IMMEDIATE')
  const commitStatement = db.prepare('COMMIT')
  const rollback = db.prepare('ROLLBACK')
  let open = false
  let closed = false

  const commit = (): void => {
    if (!open) return
    open = false
    if (!db.open || !db.inTransaction) return
    try {
      commitStatement.run()
    } catch (error) {
      if (db.inTransaction) rollback.run()
      onFailed(error)
    }
  }

  return {
    join() {
      if (open || closed || db.inTransaction) return
      begin.run()
      open = true
      queueMicrotask(commit)
    },
    commit,
    close() {
      commit()
      closed = true
    },
  }
}
