import type { Database } from 'better-sqlite3'

/** How many completed jobs the SQLite queue keeps, and for how long. Dead and cancelled jobs are never pruned. */
export interface RetentionLimits {
  /** Completed jobs kept, newest first; default 10,000. */
  keepCompleted: number
  /** Completed jobs finished longer ago than this are deleted; default 7 days. */
  keepCompletedMs: number
}

/** Default retention: 10,000 completed jobs, none older than 7 days. */
export const DEFAULT_RETENTION: RetentionLimits = { keepCompleted: 10_000, keepCompletedMs: 7 * 24 * 60 * 60 * 1000 }

/** Deletes completed jobs past the retention limits. */
export interface CompletedPruner {
  /** Prunes as of `now` inside the caller's transaction; returns how many jobs each step lost. */
  prune(now: number): Map<string, number>
}

const expired = `SELECT seq FROM jobs WHERE status = 'completed' AND finished_at < ?`
const beyondCount = `SELECT seq FROM jobs WHERE status = 'completed' ORDER BY seq DESC LIMIT -1 OFFSET ?`

/**
 * Creates the pruner of the `jobs` table. It reads the completed rows in rowid order, which costs a
 * scan of the table per run; that keeps a status index (and its writes on every job) off the hot path.
 */
export function createCompletedPruner(db: Database, limits: RetentionLimits): CompletedPruner {
  // Counted first, deleted second: DELETE ... RETURNING is slow on a table with partial indexes.
  const countExpired = db.prepare<[number], { step: string; count: number }>(
    `SELECT step, COUNT(*) AS count FROM jobs WHERE seq IN (${expired}) GROUP BY step`,
  )
  const deleteExpired = db.prepare<[number]>(`DELETE FROM jobs WHERE seq IN (${expired})`)
  const countBeyond = db.prepare<[number], { step: string; count: number }>(
    `SELECT step, COUNT(*) AS count FROM jobs WHERE seq IN (${beyondCount}) GROUP BY step`,
  )
  const deleteBeyond = db.prepare<[number]>(`DELETE FROM jobs WHERE seq IN (${beyondCount})`)

  return {
    prune(now) {
      const lost = new Map<string, number>()
      const before = now - limits.keepCompletedMs
      for (const [counter, remover, bound] of [
        [countExpired, deleteExpired, before],
        [countBeyond, deleteBeyond, limits.keepCompleted],
      ] as const) {
        const rows = counter.all(bound)
        if (rows.length === 0) continue
        remover.run(bound)
        for (const { step, count } of rows) lost.set(step, (lost.get(step) ?? 0) + count)
      }
      return lost
    },
  }
}
