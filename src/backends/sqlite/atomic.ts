import type { Database } from 'better-sqlite3'

/** Runs a function as one transaction of `db`: a savepoint inside an open transaction, else BEGIN IMMEDIATE ... COMMIT. */
export type Atomic = <T>(fn: () => T) => T

/**
 * Creates the atomic runner of a connection. It does what `db.transaction(fn)()` does with statements
 * prepared once, since better-sqlite3 builds four wrapper functions on every `transaction()` call and
 * an enqueue runs one per emit.
 */
export function createAtomic(db: Database): Atomic {
  const begin = db.prepare('BEGIN IMMEDIATE')
  const commit = db.prepare('COMMIT')
  const rollback = db.prepare('ROLLBACK')
  const savepoint = db.prepare('SAVEPOINT atomic')
  const release = db.prepare('RELEASE atomic')
  const rollbackTo = db.prepare('ROLLBACK TO atomic')
  return <T>(fn: () => T): T => {
    const nested = db.inTransaction
    ;(nested ? savepoint : begin).run()
    try {
      const result = fn()
      ;(nested ? release : commit).run()
      return result
    } catch (error) {
      if (db.inTransaction) {
        if (nested) {
          rollbackTo.run()
          release.run()
        } else {
          rollback.run()
        }
      }
      throw error
    }
  }
}
