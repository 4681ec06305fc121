import type { Database } from 'better-sqlite3'
import type { Job, JobStatus } from '../../queue/queue.ts'
import { type JobRow, toJobFromRow, WAIT_READY } from './sqlite-job-schema.ts'

/** Adds the `batch_id` column (the batch of a job's latest attempt, on steps with `batch`) to a jobs table without it. */
export function addBatchIdColumn(db: Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(jobs)').all()
  if (!columns.some((column) => column.name === 'batch_id')) db.exec('ALTER TABLE jobs ADD COLUMN batch_id TEXT')
}

/** What a batch claim changes in the store's books: a job left `from` for running. */
export type ClaimedFrom = (step: string, from: JobStatus) => void

/** Reads and claims the ready jobs of batch steps, by the same index and rule as a single claim. */
export function createSqliteBatches(db: Database) {
  const selectReady = db.prepare<[string, number], JobRow>(
    `SELECT * FROM jobs INDEXED BY jobs_ready
     WHERE step = ? AND wait = ${WAIT_READY} ORDER BY priority DESC, seq LIMIT ?`,
  )
  const selectReadyById = db.prepare<[string], JobRow>(`SELECT * FROM jobs WHERE id = ? AND wait = ${WAIT_READY}`)
  const take = db.prepare<[number, string, number]>(
    `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?, wait = 0, batch_id = ?
     WHERE seq = ? AND wait = ${WAIT_READY}`,
  )
  return {
    ready: (step: string, limit: number): Job[] => selectReady.all(step, limit).map(toJobFromRow),

    /** Takes the jobs still ready; `claimed` learns of each, before the next is taken. */
    claim(ids: readonly string[], now: number, batchId: string, claimed: ClaimedFrom): Job[] {
      const jobs: Job[] = []
      for (const id of ids) {
        const row = selectReadyById.get(id)
        if (!row || take.run(now, batchId, row.seq).changes === 0) continue
        claimed(row.step, row.status)
        jobs.push({ ...toJobFromRow(row), status: 'running', attempts: row.attempts + 1, startedAt: now, batchId })
      }
      return jobs
    },
  }
}
