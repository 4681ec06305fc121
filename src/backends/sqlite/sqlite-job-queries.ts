import type { Database, Statement } from 'better-sqlite3'
import type { JobQuery } from '../../queue/job-store.ts'
import type { JobStatus } from '../../queue/queue.ts'
import { type JobRow, WAIT_READY } from './sqlite-job-schema.ts'

type ListFilter = Omit<JobQuery, 'limit' | 'offset'>

/** What an update needs to know of a job's row before it writes it. */
export interface RowState {
  seq: number
  step: string
  message_group_id: string | null
  status: JobStatus
  head: number
}

/** The statements of one shape of list query (which filters are set). */
export interface ListStatements {
  page: Statement<[JobQuery], JobRow>
  total: Statement<[JobQuery], number>
}

const listConditions: ReadonlyArray<[keyof ListFilter, string]> = [
  ['status', 'status = @status'],
  ['step', 'step = @step'],
  ['topic', 'topic = @topic'],
  ['traceId', 'trace_id = @traceId'],
  // instr() is a plain case-sensitive substring test: no LIKE wildcards to escape.
  ['search', 'instr(data, @search) > 0'],
]

/**
 * Prepares every statement of the SQLite job store once. Claims name their index, so the plan does
 * not depend on table statistics: a claim reads the first entry of a partial index of ready jobs.
 * @internal its statement types have no exported name, so declarations leave it out.
 */
export function createSqliteJobQueries(db: Database) {
  const listCache = new Map<string, ListStatements>()
  return {
    // After `grouped`, it comes again with step and messageGroupId, to find whether the group has a head.
    insert: db.prepare<
      [
        string, string, string, string | null, string, JobStatus, number, number, string | null, string,
        string | null, number, number, number | null, number | null, number, string | null, number, number,
        number, string, string | null, string | null,
      ]
    >(
      `INSERT INTO jobs (id, step, topic, data, trace_id, status, attempts, max_attempts, last_error, errors,
         message_group_id, priority, created_at, started_at, finished_at, run_at, idempotency_key, wait, grouped, head,
         trace_context)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
         ? AND NOT EXISTS (
           SELECT 1 FROM jobs INDEXED BY jobs_groups WHERE step = ? AND message_group_id IS ? AND grouped = 1
         ), ?)`,
    ),
    selectById: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
    selectByIdempotencyKey: db.prepare<[string, string, number], JobRow>(
      `SELECT * FROM jobs INDEXED BY jobs_idempotency
       WHERE step = ? AND idempotency_key = ? AND created_at >= ? ORDER BY seq DESC LIMIT 1`,
    ),
    pickAny: db.prepare<[string], JobRow>(
      `SELECT * FROM jobs INDEXED BY jobs_ready
       WHERE step = ? AND wait = ${WAIT_READY} ORDER BY priority DESC, seq LIMIT 1`,
    ),
    pickHead: db.prepare<[string], JobRow>(
      `SELECT * FROM jobs INDEXED BY jobs_ready_heads
       WHERE step = ? AND wait = ${WAIT_READY} AND head = 1 ORDER BY priority DESC, seq LIMIT 1`,
    ),
    // Sets no column of another index. No RETURNING: with partial indexes it makes an UPDATE many times slower.
    take: db.prepare<[number, number]>(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?, wait = 0
       WHERE seq = ? AND wait = ${WAIT_READY}`,
    ),
    selectState: db.prepare<[string], RowState>(
      'SELECT seq, step, message_group_id, status, head FROM jobs WHERE id = ?',
    ),
    update: db.prepare<
      [JobStatus, number, string, string | null, number | null, number | null, number, number, number, number, number]
    >(
      `UPDATE jobs SET status = ?, attempts = ?, errors = ?, last_error = ?, started_at = ?, finished_at = ?,
         run_at = ?, wait = ?, grouped = ?, head = ? WHERE seq = ?`,
    ),
    selectRunning: db.prepare<[], JobRow>(`SELECT * FROM jobs WHERE status = 'running'`),
    selectBySeq: db.prepare<[number], JobRow>('SELECT * FROM jobs WHERE seq = ?'),
    // Read once at open; waiting jobs whose last record is a cut-off (job-transitions.ts).
    selectSuspects: db.prepare<[], { id: string; step: string; seq: number; last_error: string | null }>(
      `SELECT id, step, seq, last_error FROM jobs WHERE status IN ('pending', 'failed') AND last_error LIKE 'The process stopped while attempt%'`,
    ),
    countByStatus: db.prepare<[], { step: string; status: JobStatus; count: number }>(
      'SELECT step, status, COUNT(*) AS count FROM jobs GROUP BY step, status',
    ),
    // Insertion order is creation order, so the first pending job by seq is the oldest.
    oldestPendingCreatedAt: db
      .prepare<[], number>(`SELECT created_at FROM jobs WHERE status = 'pending' ORDER BY seq LIMIT 1`)
      .pluck(),
    recentRunTimes: db
      .prepare<[], number>(`SELECT finished_at - started_at FROM jobs WHERE status = 'completed' ORDER BY seq DESC LIMIT 1000`)
      .pluck(),

    /** The page and total statements for the filters set in `query`, prepared on first use. */
    listStatements(query: JobQuery): ListStatements {
      const used = listConditions.filter(([field]) => query[field] !== undefined)
      const key = used.map(([field]) => field).join(',')
      let statements = listCache.get(key)
      if (!statements) {
        const where = used.length === 0 ? '' : `WHERE ${used.map(([, condition]) => condition).join(' AND ')}`
        statements = {
          page: db.prepare<[JobQuery], JobRow>(`SELECT * FROM jobs ${where} ORDER BY seq DESC LIMIT @limit OFFSET @offset`),
          total: db.prepare<[JobQuery], number>(`SELECT COUNT(*) FROM jobs ${where}`).pluck(),
        }
        listCache.set(key, statements)
      }
      return statements
    },
  }
}
