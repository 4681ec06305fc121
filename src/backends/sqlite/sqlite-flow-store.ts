import type { Database } from 'better-sqlite3'
import type { FlowStore } from '../../queue/flow-store.ts'
import { writeBatchOf } from './write-batch.ts'

const FLOW_SCHEMA = `
CREATE TABLE IF NOT EXISTS flow_starts (step TEXT NOT NULL, key TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS flow_starts_by_key ON flow_starts (step, key, at);
CREATE TABLE IF NOT EXISTS flow_paused (step TEXT PRIMARY KEY);
`

/**
 * Creates a FlowStore in `db`: rate-limit starts and paused steps survive a restart. Starts are read
 * once per (step, key) and kept in memory, as one process owns the file; each start is written in
 * the same batch as the claim it belongs to.
 */
export function createSqliteFlowStore(db: Database): FlowStore {
  db.exec(FLOW_SCHEMA)
  const batch = writeBatchOf(db)
  const selectStarts = db.prepare<[string, string], { at: number }>('SELECT at FROM flow_starts WHERE step = ? AND key = ? ORDER BY at')
  const insertStart = db.prepare('INSERT INTO flow_starts (step, key, at) VALUES (?, ?, ?)')
  const deleteOldest = db.prepare(
    'DELETE FROM flow_starts WHERE rowid IN (SELECT rowid FROM flow_starts WHERE step = ? AND key = ? ORDER BY at LIMIT ?)',
  )
  const selectPaused = db.prepare<[], { step: string }>('SELECT step FROM flow_paused ORDER BY step')
  const insertPaused = db.prepare('INSERT OR IGNORE INTO flow_paused (step) VALUES (?)')
  const deletePaused = db.prepare('DELETE FROM flow_paused WHERE step = ?')
  const cache = new Map<string, number[]>()
  let paused = selectPaused.all().map((row) => row.step)

  const startsOf = (step: string, key: string): number[] => {
    const mapKey = `${step}\u0000${key}`
    let times = cache.get(mapKey)
    if (!times) {
      times = selectStarts.all(step, key).map((row) => row.at)
      cache.set(mapKey, times)
    }
    return times
  }

  return {
    starts: startsOf,
    recordStart(step, key, time, keep) {
      const times = startsOf(step, key)
      batch.join()
      insertStart.run(step, key, time)
      times.push(time)
      const excess = times.length - keep
      if (excess <= 0) return
      times.splice(0, excess)
      deleteOldest.run(step, key, excess)
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
