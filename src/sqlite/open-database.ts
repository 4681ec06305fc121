import fs from 'node:fs'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'

const IN_MEMORY = new Set([':memory:', ''])

/** Opens (and creates, with its folder) a SQLite file in WAL mode, shared by the state store and the job queue. */
export function openDatabase(file: string): Database {
  if (!IN_MEMORY.has(file)) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const db = new BetterSqlite3(file)
  try {
    db.pragma('journal_mode = WAL')
    // NORMAL is durable in WAL mode except for the last transactions before a power loss.
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
  } catch (error) {
    db.close()
    throw error
  }
  return db
}
