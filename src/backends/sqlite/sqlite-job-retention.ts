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

/** Deletes completed jobs past the retention limits, inside the caller's transaction; each returns how many jobs each step lost. */
export interface CompletedPruner {
  /** Deletes the `excess` oldest completed jobs: the store counts its completed jobs, so no scan finds the newest it keeps. */
  pruneOldest(excess: number): Map<string, number>
  /** Deletes completed jobs finished before `now - keepCompletedMs` (a scan of the table). */
  pruneExpired(now: number): Map<string, number>
}

const oldest = `SELECT seq FROM jobs WHERE status = 'completed' ORDER BY seq LIMIT ?`
const expired = `SELECT seq FROM jobs WHERE status = 'completed' AND finished_at < ?`

/**
 * Creates the pruner of the `jobs` table. It reads the completed rows in rowid order, which keeps a
 * status index (and its writes on every job) off the hot path: pruning by count reads from the oldest
 * row until it has found the excess, pruning by age scans the table.
 */
export function createCompletedPruner(db: Database, limits: RetentionLimits): CompletedPruner {
  // Counted first, deleted second: DELETE ... RETURNING is slow on a table with partial indexes.
  const statements = (select: string) => ({
    count: db.prepare<[number], { step: string; count: number }>(`SELECT step, COUNT(*) AS count FROM jobs WHERE seq IN (${select}) GROUP BY step`),
    remove: db.prepare<[number]>(`DELETE FROM jobs WHERE seq IN (${select})`),
  })
  const byCount = statements(oldest)
  const byAge = statements(expired)
  const prune = ({ count, remove }: ReturnType<typeof statements>, bound: number): Map<string, number> => {
    const lost = new Map<string, number>()
    const rows = count.all(bound)
    if (rows.length === 0) return lost
    remove.run(bound)
    for (const row of rows) lost.set(row.step, row.count)
    return lost
  }
  return {
    pruneOldest: (excess) => (excess > 0 ? prune(byCount, excess) : new Map()),
    pruneExpired: (now) => prune(byAge, now - limits.keepCompletedMs),
  }
}
