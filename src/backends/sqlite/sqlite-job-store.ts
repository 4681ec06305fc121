import type { Database } from 'better-sqlite3'
import { createAtomic } from './atomic.ts'
import { toStorageError } from './to-storage-error.ts'
import { writeBatchOf } from './write-batch.ts'
import { isTerminalStatus, type JobStore } from '../../queue/job-store.ts'
import { isCutOff, toCutOffJob } from '../../queue/job-transitions.ts'
import type { Job, JobStatus } from '../../queue/queue.ts'
import { addBatchIdColumn, createSqliteBatches } from './sqlite-batches.ts'
import { createDueJobs } from './sqlite-due-jobs.ts'
import { createFifoHeads } from './sqlite-fifo-heads.ts'
import { createSuspects } from './sqlite-suspects.ts'
import { createSqliteJobQueries, type RowState } from './sqlite-job-queries.ts'
import { createCompletedPruner, DEFAULT_RETENTION, type RetentionLimits } from './sqlite-job-retention.ts'
import { addTraceContextColumn, JOBS_SCHEMA, type JobRow, NO_ERRORS, toJobFromRow, toWait, WAIT_DELAYED } from './sqlite-job-schema.ts'
import { toJobDataJson } from '../../queue/new-job-checks.ts'

/** Clock, retention and error sink of the SQLite job store. */
export interface SqliteJobStoreOptions extends Partial<RetentionLimits> {
  now?: () => number
  /** How often completed jobs past `keepCompletedMs` are pruned; default 10 minutes. */
  pruneIntervalMs?: number
  /** Close the database when the store closes (the store opened it). */
  closeDatabase?: boolean
  /** Receives errors of background pruning, which has no caller. */
  onError?: (error: unknown) => void
}

type Counts = Record<JobStatus, number>

/** The job of a row just claimed at `time`: running, one more attempt (a fresh object, so no copy). */
function toRunningJob(row: JobRow, time: number): Job {
  const job = toJobFromRow(row)
  job.status = 'running'
  job.attempts = row.attempts + 1
  job.startedAt = time
  return job
}

/** The errors column of a job. */
function toErrorsJson(job: Job): string {
  return job.errors.length === 0 ? NO_ERRORS : JSON.stringify(job.errors)
}

const zeroCounts = (): Counts => ({ pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, dead: 0, skipped: 0 })

/**
 * Creates a JobStore in the `jobs` table of `db`. Opening it returns jobs a stopped process left
 * running to pending (at-least-once), and prunes completed jobs by age and count. Status counts
 * are kept in memory, so one process owns the table at a time.
 */
export function createSqliteJobStore(db: Database, options: SqliteJobStoreOptions = {}): JobStore {
  const now = options.now ?? Date.now
  const onError = options.onError ?? (() => {})
  const limits: RetentionLimits = {
    keepCompleted: Math.max(0, options.keepCompleted ?? DEFAULT_RETENTION.keepCompleted),
    keepCompletedMs: Math.max(0, options.keepCompletedMs ?? DEFAULT_RETENTION.keepCompletedMs),
  }
  // Pruning by count runs when a tenth more jobs than kept have completed, so its cost is spread thin.
  const pruneAbove = limits.keepCompleted + Math.max(1, Math.ceil(limits.keepCompleted / 10))
  db.exec(JOBS_SCHEMA)
  addTraceContextColumn(db)
  addBatchIdColumn(db)
  const sql = createSqliteJobQueries(db)
  const batches = createSqliteBatches(db)
  const transaction = createAtomic(db)
  const pruner = createCompletedPruner(db, limits)
  const heads = createFifoHeads(db)
  const counts = new Map<string, Counts>()
  let completed = 0
  let running = 0
  const suspects = createSuspects()
  /**
   * The row state of jobs of steps without fifo heads that this store claimed and has not updated
   * since, so finishing one needs no read: nothing else writes such a running job's row. Cleared
   * whenever that may not hold (a rollback, a step turning fifo).
   */
  const claimed = new Map<string, RowState>()

  const countsOf = (step: string): Counts => {
    let stepCounts = counts.get(step)
    if (!stepCounts) {
      stepCounts = zeroCounts()
      counts.set(step, stepCounts)
    }
    return stepCounts
  }

  const count = (step: string, status: JobStatus, delta: number): void => {
    countsOf(step)[status] += delta
    if (status === 'completed') completed += delta
    else if (status === 'running') running += delta
  }

  const loadCounts = (): void => {
    counts.clear()
    completed = 0
    running = 0
    for (const row of sql.countByStatus.all()) count(row.step, row.status, row.count)
  }

  const batch = writeBatchOf(db)
  const stopWatchingRollbacks = batch.onRollback((error) => {
    reloadAfterRollback()
    onError(error)
  })
  const due = createDueJobs(db, () => batch.join())

  /** A rollback undid writes the counts and due bounds already include: read them again. */
  function reloadAfterRollback(): void {
    claimed.clear()
    loadCounts()
    due.reset()
  }

  /** Runs fn in a transaction (a savepoint of the open batch); when it fails it rolled back, so the counts are read again. */
  const atomically = <T>(fn: () => T): T => {
    batch.join()
    try {
      return transaction(fn)
    } catch (error) {
      reloadAfterRollback()
      throw error
    }
  }

  const forget = (lost: Map<string, number>): void => {
    for (const [step, jobs] of lost) count(step, 'completed', -jobs)
  }
  /** Applies both limits: at open and on the prune timer. */
  const pruneCompleted = (): void => {
    batch.join()
    forget(pruner.pruneExpired(now()))
    forget(pruner.pruneOldest(completed - limits.keepCompleted))
  }

  /** Writes a job's mutable fields, keeping fifo heads, due bounds and counts in step. */
  const updateJob = (job: Job): void => {
    const old = claimed.get(job.id) ?? sql.selectState.get(job.id)
    if (!old) return
    claimed.delete(job.id)
    batch.join()
    const grouped = heads.tracks(old.step)
    const finished = grouped && old.head === 1 && isTerminalStatus(job.status)
    const revived = grouped && isTerminalStatus(old.status) && !isTerminalStatus(job.status)
    // A waiting job is stored as delayed; the next claim of its step finds it due.
    const wait = toWait(job, -Infinity)
    const write = (): void => {
      sql.update.run(
        job.status,
        job.attempts,
        toErrorsJson(job),
        job.lastError,
        job.startedAt,
        job.finishedAt,
        job.runAt,
        wait,
        grouped && !isTerminalStatus(job.status) ? 1 : 0,
        grouped && !finished ? old.head : 0,
        old.seq,
      )
      if (finished) heads.finished(old)
      else if (revived) heads.revived(old)
    }
    if (finished || revived) atomically(write)
    else write()
    if (wait === WAIT_DELAYED) due.delayed(old.step, job.runAt)
    count(old.step, old.status, -1)
    count(old.step, job.status, 1)
    if (suspects.active) suspects.settled(job.id)
    if (job.status === 'completed' && completed > pruneAbove) {
      try {
        // The count limit only: the age limit's scan of the table waits for the timer.
        forget(pruner.pruneOldest(completed - limits.keepCompleted))
      } catch (error) {
        onError(error)
      }
    }
  }

  /**
   * Jobs a stopped process left running: pending again, or failed or dead when one ran alone as a
   * suspect; either way suspects (with those still waiting from an earlier stop) that run alone next.
   */
  const recoverInterrupted = (): void => {
    const time = now()
    const cutOff = sql.selectRunning.all()
    if (cutOff.length > 0) {
      transaction(() => {
        for (const row of cutOff) updateJob(toCutOffJob(toJobFromRow(row), time))
      })
    }
    for (const row of sql.selectSuspects.all()) {
      if (isCutOff({ lastError: row.last_error })) suspects.add(row.id, row.step, row.seq)
    }
  }

  recoverInterrupted()
  loadCounts()
  pruneCompleted()
  /** Claims the suspect in row `seq`, found ready (due.promote ran), or nothing when it is not ready. */
  function takeSuspect(step: string, seq: number, time: number): Job | null {
    const row = sql.selectBySeq.get(seq)
    batch.join()
    if (!row || sql.take.run(time, seq).changes === 0) {
      if (row) suspects.settled(row.id)
      return null
    }
    count(step, row.status, -1)
    count(step, 'running', 1)
    // Committed before the suspect runs: should it stop the process at once, it is found running alone.
    batch.commit()
    return toRunningJob(row, time)
  }

  const timer = setInterval(() => {
    try {
      pruneCompleted()
    } catch (error) {
      onError(error)
    }
  }, options.pruneIntervalMs ?? 10 * 60 * 1000)
  timer.unref()

  return {
    transaction(fn) {
      try {
        return atomically(fn)
      } catch (error) {
        throw toStorageError(error, db.name)
      }
    },

    durable: () => batch.committed(),

    insert(job, idempotencyKey) {
      batch.join()
      const grouped = heads.tracks(job.step) && !isTerminalStatus(job.status) ? 1 : 0
      const wait = toWait(job, job.createdAt)
      // A single insert is atomic on its own, so the dispatcher may call this outside transaction(): convert here too.
      try {
        sql.insert.run(
          job.id,
          job.step,
          job.topic,
          toJobDataJson(job),
          job.traceId,
          job.status,
          job.attempts,
          job.maxAttempts,
          job.lastError,
          toErrorsJson(job),
          job.messageGroupId,
          job.priority,
          job.createdAt,
          job.startedAt,
          job.finishedAt,
          job.runAt,
          idempotencyKey,
          wait,
          grouped,
          grouped,
          job.step,
          job.messageGroupId,
          job.traceContext ?? null,
        )
      } catch (error) {
        throw toStorageError(error, db.name)
      }
      if (wait === WAIT_DELAYED) due.delayed(job.step, job.runAt)
      count(job.step, job.status, 1)
    },

    findByIdempotencyKey(step, key, createdSince) {
      const row = sql.selectByIdempotencyKey.get(step, key, createdSince)
      return row ? toJobFromRow(row) : null
    },

    get(id) {
      const row = sql.selectById.get(id)
      return row ? toJobFromRow(row) : null
    },

    claimNext(step, time, fifo) {
      if (fifo && !heads.tracks(step)) {
        claimed.clear()
        atomically(() => heads.track(step))
      }
      due.promote(step, time)
      if (suspects.active) {
        const allowed = suspects.claim(step, running)
        if (allowed === 'none') return null
        if (allowed !== 'any') return takeSuspect(step, allowed, time)
      }
      const pick = fifo ? sql.pickHead : sql.pickAny
      for (;;) {
        const candidate = pick.get(step)
        if (!candidate) return null
        batch.join()
        // Another connection took it between the two statements: pick again.
        if (sql.take.run(time, candidate.seq).changes === 0) continue
        count(step, candidate.status, -1)
        count(step, 'running', 1)
        // A fifo step's heads move to running jobs too (sqlite-fifo-heads.ts): those are read at update.
        if (!heads.tracks(step)) claimed.set(candidate.id, { seq: candidate.seq, step, message_group_id: candidate.message_group_id, status: 'running', head: candidate.head })
        return toRunningJob(candidate, time)
      }
    },

    readyJobs(step, time, limit) {
      due.promote(step, time)
      if (suspects.active) {
        const allowed = suspects.claim(step, running)
        if (allowed === 'none') return []
        if (allowed !== 'any') {
          const row = sql.selectBySeq.get(allowed)
          if (row && (row.status === 'pending' || row.status === 'failed')) return [toJobFromRow(row)]
          if (row) suspects.settled(row.id)
          return []
        }
      }
      return batches.ready(step, limit)
    },

    claimBatch(ids, time, batchId) {
      batch.join()
      const claimed = batches.claim(ids, time, batchId, (step, from) => {
        count(step, from, -1)
        count(step, 'running', 1)
      })
      if (suspects.active) {
        // A suspect that was not taken no longer holds the others back.
        for (const id of ids) if (!claimed.some((job) => job.id === id)) suspects.settled(id)
        // Committed before a suspect runs, as in a single claim: should it stop the process, it is found running alone.
        if (claimed.length > 0) batch.commit()
      }
      return claimed
    },

    update: updateJob,

    list(query) {
      const { page, total } = sql.listStatements(query)
      return { jobs: page.all(query).map(toJobFromRow), total: total.get(query) ?? 0 }
    },

    statsInput() {
      const statusCounts: Array<{ step: string; status: JobStatus; count: number }> = []
      for (const [step, stepCounts] of counts) {
        for (const [status, value] of Object.entries(stepCounts) as Array<[JobStatus, number]>) {
          if (value > 0) statusCounts.push({ step, status, count: value })
        }
      }
      return {
        counts: statusCounts,
        oldestPendingCreatedAt: sql.oldestPendingCreatedAt.get() ?? null,
        runTimesMs: sql.recentRunTimes.all(),
      }
    },

    countUnsettled(steps) {
      let unsettled = 0
      for (const step of steps) {
        const stepCounts = counts.get(step)
        if (stepCounts) unsettled += stepCounts.pending + stepCounts.running + stepCounts.failed
      }
      return unsettled
    },

    nextRunAt(steps, after) {
      let earliest: number | null = null
      for (const step of steps) {
        // The dispatcher asks with a later clock reading than its last claim, so a job may have come
        // due in between and would wait for no timer: mark it ready and ask to be woken at once.
        const runAt = due.promote(step, after) ? after + 1 : due.next(step)
        if (runAt !== null && (earliest === null || runAt < earliest)) earliest = runAt
      }
      const suspectAt = suspects.active ? suspects.wakeAt(after, running, steps) : null
      return suspectAt !== null && (earliest === null || suspectAt < earliest) ? suspectAt : earliest
    },

    close() {
      stopWatchingRollbacks()
      batch.close()
      clearInterval(timer)
      if (options.closeDatabase && db.open) db.close()
    },
  }
}
