import type { Database } from 'better-sqlite3'
import { WAIT_DELAYED, WAIT_READY } from './sqlite-job-schema.ts'

/**
 * The delayed jobs of each step (waiting for their runAt): when they come due and when the next one
 * does. It keeps a lower bound of the earliest runAt per step, so with no delayed job due, claims and
 * the dispatcher's wake-up question cost no query.
 */
export interface DueJobs {
  /** Notes a job stored as delayed until `runAt`. */
  delayed(step: string, runAt: number): void
  /** Marks ready the delayed jobs of `step` due at `time`; true when there were some. */
  promote(step: string, time: number): boolean
  /** The earliest runAt of a delayed job of `step` (at worst a little early), or null when there is none. */
  next(step: string): number | null
  /** Forgets the bounds (after a rollback), so the next question reads the table. */
  reset(): void
}

/** Creates the due-job watch of the `jobs` table; `beforeWrite` runs before it changes a row. */
export function createDueJobs(db: Database, beforeWrite: () => void): DueJobs {
  const earliest = new Map<string, number>()
  const selectEarliest = db
    .prepare<[string], number | null>(`SELECT MIN(run_at) FROM jobs INDEXED BY jobs_due WHERE step = ? AND wait = ${WAIT_DELAYED}`)
    .pluck()
  const markReady = db.prepare<[string, number]>(
    `UPDATE jobs SET wait = ${WAIT_READY} WHERE seq IN (
       SELECT seq FROM jobs INDEXED BY jobs_due WHERE step = ? AND wait = ${WAIT_DELAYED} AND run_at <= ?
     )`,
  )

  const read = (step: string): number => {
    const runAt = selectEarliest.get(step) ?? Infinity
    earliest.set(step, runAt)
    return runAt
  }

  const boundOf = (step: string): number => earliest.get(step) ?? read(step)

  return {
    delayed(step, runAt) {
      if (runAt < boundOf(step)) earliest.set(step, runAt)
    },

    promote(step, time) {
      if (boundOf(step) > time) return false
      beforeWrite()
      const promoted = markReady.run(step, time).changes > 0
      read(step)
      return promoted
    },

    next(step) {
      const runAt = boundOf(step)
      return runAt === Infinity ? null : runAt
    },

    reset() {
      earliest.clear()
    },
  }
}
