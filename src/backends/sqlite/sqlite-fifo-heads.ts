import type { Database } from 'better-sqlite3'

/** The place of a job in its message group, as the store reads it before a change. */
export interface GroupedRow {
  seq: number
  step: string
  message_group_id: string | null
}

/**
 * Keeps `grouped` and `head` of the `jobs` table for the steps that run as fifo. A step is tracked from
 * its first fifo claim in this process on, so the jobs of other steps never pay for group upkeep.
 */
export interface FifoHeads {
  /** True when the jobs of `step` carry `grouped` and `head`. */
  tracks(step: string): boolean
  /** Starts tracking `step`: marks its unfinished jobs grouped and makes the oldest of each group its head. */
  track(step: string): void
  /** A head finished: the oldest other unfinished job of its group becomes head. */
  finished(row: GroupedRow): void
  /** A finished job came back (a retry): it becomes head when it is older than the group's head. */
  revived(row: GroupedRow): void
}

/** Creates the group upkeep of the `jobs` table; every method runs inside the caller's transaction. */
export function createFifoHeads(db: Database): FifoHeads {
  const tracked = new Set<string>()
  const groupLive = db.prepare<[string]>(
    `UPDATE jobs SET grouped = 1 WHERE step = ? AND status IN ('pending', 'running', 'failed')`,
  )
  const clearHeads = db.prepare<[string]>('UPDATE jobs SET head = 0 WHERE step = ? AND head = 1')
  const setHeads = db.prepare<[string]>(
    `UPDATE jobs SET head = 1 WHERE seq IN (
       SELECT MIN(seq) FROM jobs INDEXED BY jobs_groups WHERE step = ? AND grouped = 1 GROUP BY message_group_id
     )`,
  )
  const firstOtherThan = db
    .prepare<[string, string | null, number], number>(
      `SELECT seq FROM jobs INDEXED BY jobs_groups
       WHERE step = ? AND message_group_id IS ? AND grouped = 1 AND seq <> ? ORDER BY seq LIMIT 1`,
    )
    .pluck()
  const setHead = db.prepare<[number, number]>('UPDATE jobs SET head = ? WHERE seq = ?')

  return {
    tracks: (step) => tracked.has(step),

    track(step) {
      groupLive.run(step)
      clearHeads.run(step)
      setHeads.run(step)
      tracked.add(step)
    },

    finished(row) {
      const next = firstOtherThan.get(row.step, row.message_group_id, row.seq)
      if (next !== undefined) setHead.run(1, next)
    },

    revived(row) {
      const head = firstOtherThan.get(row.step, row.message_group_id, row.seq)
      if (head !== undefined && head < row.seq) return
      setHead.run(1, row.seq)
      if (head !== undefined) setHead.run(0, head)
    },
  }
}
