import type { Database } from 'better-sqlite3'
import type { FlowStore } from '../../queue/flow-store.ts'
import { createStartLog, type StartLog } from '../../queue/rate-window.ts'
import { writeBatchOf } from './write-batch.ts'

const FLOW_SCHEMA = `
CREATE TABLE IF NOT EXISTS rate_starts (
  step TEXT NOT NULL, key TEXT NOT NULL, at INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (step, key, at)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS paused_steps (step TEXT PRIMARY KEY);
`

/** Starts of one turn of the event loop, counted per (step, key, bucket) before they are written. */
interface PendingBucket {
  step: string
  key: string
  at: number
  count: number
  /** Rows at or before this time no longer count. */
  before: number
}

/** The bucket end a start at `time` is stored under: starts are kept as if made up to 1% of the period later. */
const toBucketEnd = (time: number, periodMs: number): number => {
  const width = Math.max(1, Math.ceil(periodMs / 100))
  return Math.ceil(time / width) * width
}

/**
 * Creates a FlowStore in `db`: rate-limit starts and paused steps survive a restart. The logs live
 * in memory (one process owns the file) and are written as counts per bucket of 1% of the period,
 * once per turn of the event loop, in the same commit as the claims they count; read back after a
 * restart, a start counts from the end of its bucket, so a window can end up to 1% of a period
 * late, never early.
 */
export function createSqliteFlowStore(db: Database, onError: (error: unknown) => void): FlowStore {
  db.exec(FLOW_SCHEMA)
  const batch = writeBatchOf(db)
  const selectStarts = db.prepare<[string, string], { at: number; count: number }>(
    'SELECT at, count FROM rate_starts WHERE step = ? AND key = ? ORDER BY at',
  )
  const addStarts = db.prepare(
    'INSERT INTO rate_starts (step, key, at, count) VALUES (?, ?, ?, ?) ON CONFLICT (step, key, at) DO UPDATE SET count = count + excluded.count',
  )
  const forgetStarts = db.prepare('DELETE FROM rate_starts WHERE step = ? AND key = ? AND at <= ?')
  const selectPaused = db.prepare<[], { step: string }>('SELECT step FROM paused_steps ORDER BY step')
  const insertPaused = db.prepare('INSERT OR IGNORE INTO paused_steps (step) VALUES (?)')
  const deletePaused = db.prepare('DELETE FROM paused_steps WHERE step = ?')
  const logs = new Map<string, StartLog>()
  let pending = new Map<string, PendingBucket>()
  let flushQueued = false
  let paused = selectPaused.all().map((row) => row.step)

  const log = (step: string, key: string): StartLog => {
    const mapKey = `${step}\u0000${key}`
    let found = logs.get(mapKey)
    if (!found) {
      const times: number[] = []
      for (const row of selectStarts.all(step, key)) for (let index = 0; index < row.count; index += 1) times.push(row.at)
      found = createStartLog(times)
      logs.set(mapKey, found)
    }
    return found
  }

  // Runs after the claims of this turn and before the batch's COMMIT, which waits for the next turn.
  const flush = (): void => {
    flushQueued = false
    const buckets = pending
    pending = new Map()
    if (!db.open) return
    try {
      batch.join()
      for (const bucket of buckets.values()) {
        addStarts.run(bucket.step, bucket.key, bucket.at, bucket.count)
        forgetStarts.run(bucket.step, bucket.key, bucket.before)
      }
    } catch (error) {
      onError(error)
    }
  }

  return {
    log,
    recordStart(step, key, time, limit, periodMs) {
      log(step, key).record(time, limit, periodMs)
      const at = toBucketEnd(time, periodMs)
      const pendingKey = `${step}\u0000${key}\u0000${at}`
      const bucket = pending.get(pendingKey)
      if (bucket) {
        bucket.count += 1
        bucket.before = time - periodMs
      } else {
        pending.set(pendingKey, { step, key, at, count: 1, before: time - periodMs })
      }
      if (flushQueued) return
      flushQueued = true
      queueMicrotask(flush)
    },
    pausedSteps: () => paused.slice(),
    setPaused(step, isPaused) {
      batch.join()
      if (isPaused) insertPaused.run(step)
      else deletePaused.run(step)
      paused = selectPaused.all().map((row) => row.step)
    },
  }
}
