/**
 * The `jobs` table of the SQLite queue and the conversion between its rows and Job records.
 * `seq` (the rowid) is insertion order. Three small columns derived from the status let each index
 * cover only the jobs it serves, and keep a claim from touching any index but the ready one:
 * `wait` is WAIT_READY for a waiting job whose runAt has passed (set at insert or by the claim that
 * finds it due), WAIT_DELAYED for one still waiting for its runAt, 0 otherwise. For steps that run
 * as fifo (see sqlite-fifo-heads.ts), `grouped` is 1 while the job is pending, running or failed, and
 * `head` marks the oldest such job of each (step, messageGroupId), the only one a fifo claim may take.
 */
import type { Database } from 'better-sqlite3'
import type { Job, JobAttemptError, JobStatus } from '../../queue/queue.ts'

/** `wait` of a job waiting to run whose runAt has passed. */
export const WAIT_READY = 1

/** `wait` of a job waiting for its runAt. */
export const WAIT_DELAYED = 2

/** Creates the table and its indexes if missing. */
export const JOBS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    step TEXT NOT NULL,
    topic TEXT NOT NULL,
    data TEXT,
    trace_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    last_error TEXT,
    errors TEXT NOT NULL,
    message_group_id TEXT,
    priority INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    run_at INTEGER NOT NULL,
    idempotency_key TEXT,
    wait INTEGER NOT NULL,
    grouped INTEGER NOT NULL,
    head INTEGER NOT NULL,
    trace_context TEXT
  );
  CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (step, priority DESC, seq) WHERE wait = ${WAIT_READY};
  CREATE INDEX IF NOT EXISTS jobs_ready_heads ON jobs (step, priority DESC, seq) WHERE wait = ${WAIT_READY} AND head = 1;
  CREATE INDEX IF NOT EXISTS jobs_due ON jobs (step, run_at) WHERE wait = ${WAIT_DELAYED};
  CREATE INDEX IF NOT EXISTS jobs_groups ON jobs (step, message_group_id, seq) WHERE grouped = 1;
  CREATE INDEX IF NOT EXISTS jobs_idempotency ON jobs (step, idempotency_key, seq) WHERE idempotency_key IS NOT NULL;
`

/** Adds the `trace_context` column to a jobs table created before it existed. */
export function addTraceContextColumn(db: Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(jobs)').all()
  if (!columns.some((column) => column.name === 'trace_context')) db.exec('ALTER TABLE jobs ADD COLUMN trace_context TEXT')
}

/** The `wait` of a job with this status and runAt, stored at a time no earlier than `readyBy`. */
export function toWait(job: Pick<Job, 'status' | 'runAt'>, readyBy: number): number {
  if (job.status !== 'pending' && job.status !== 'failed') return 0
  return job.runAt <= readyBy ? WAIT_READY : WAIT_DELAYED
}

/** A row of `jobs` as better-sqlite3 returns it. */
export interface JobRow {
  seq: number
  id: string
  step: string
  topic: string
  data: string | null
  trace_id: string
  status: JobStatus
  attempts: number
  max_attempts: number
  last_error: string | null
  errors: string
  message_group_id: string | null
  priority: number
  created_at: number
  started_at: number | null
  finished_at: number | null
  run_at: number
  head: number
  trace_context: string | null
  /** Added on open by addBatchIdColumn (sqlite-batches.ts). */
  batch_id?: string | null
}

/** The errors column of a job that has none, as every new job stores it. */
export const NO_ERRORS = '[]'

/** The Job a row holds; `data` NULL stands for undefined. */
export function toJobFromRow(row: JobRow): Job {
  const job: Job = {
    id: row.id,
    step: row.step,
    topic: row.topic,
    data: row.data === null ? undefined : (JSON.parse(row.data) as unknown),
    traceId: row.trace_id,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error,
    errors: row.errors === NO_ERRORS ? [] : (JSON.parse(row.errors) as JobAttemptError[]),
    messageGroupId: row.message_group_id,
    priority: row.priority,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    runAt: row.run_at,
  }
  if (row.trace_context !== null) job.traceContext = row.trace_context
  if (row.batch_id) job.batchId = row.batch_id
  return job
}
