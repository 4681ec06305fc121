import fs from 'node:fs'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'
import { MotiaError } from '../../errors.ts'

const IN_MEMORY = new Set([':memory:', ''])

/** WAL pages written before a checkpoint copies them into the database (about 40 MB). */
const CHECKPOINT_PAGES = 10_000

function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')
}

/**
 * Opens (and creates, with its folder) a SQLite file in WAL mode, shared by the state store and the
 * job queue. The connection holds an exclusive lock until it closes: the job store keeps counts in
 * memory and must be the only writer, and without shared-memory locking every commit is cheaper.
 * A second process opening the same file gets an error naming the file.
 */
export function openDatabase(file: string): Database {
  try {
    return open(file)
  } catch (error) {
    throw toUnusableFileError(file, error)
  }
}

const readOnlyCodes = new Set(['EACCES', 'EPERM', 'EROFS', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_PERM'])
const fullCodes = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL'])

/** One line naming the file, the cause and the fix, for the errors a data folder gives at start; others as they are. */
function toUnusableFileError(file: string, error: unknown): unknown {
  if (error instanceof MotiaError) return error
  const code = String((error as { code?: unknown } | null)?.code ?? '')
  const base = code.replace(/_[A-Z]+$/, '')
  const folder = path.dirname(path.resolve(file))
  const reason = error instanceof Error ? error.message : String(error)
  const fix = 'or run with --memory or another --dir.'
  if (fullCodes.has(code) || fullCodes.has(base)) {
    return new MotiaError('DATA_FILE_UNUSABLE', `Cannot write ${file}: the disk is full (${reason}). Free some space, ${fix}`, { cause: error })
  }
  if (readOnlyCodes.has(code) || readOnlyCodes.has(base)) {
    return new MotiaError('DATA_FILE_UNUSABLE', `Cannot open ${file} for writing: ${folder} is read-only or not writable (${reason}). Make it writable, ${fix}`, { cause: error })
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return new MotiaError('DATA_FILE_UNUSABLE', `Cannot create ${folder}: a file of that name is in the way (${reason}). Move it, ${fix}`, { cause: error })
  }
  return error
}

function open(file: string): Database {
  const inMemory = IN_MEMORY.has(file)
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  // No busy wait: the lock is held for the life of a connection, so waiting would only delay the error.
  const db = new BetterSqlite3(file, { timeout: 0 })
  try {
    if (!inMemory) {
      db.pragma('locking_mode = EXCLUSIVE')
      try {
        db.pragma('journal_mode = WAL')
        // The lock is taken by the first read; a busy file means another process holds it.
        db.prepare('SELECT count(*) FROM sqlite_schema').get()
      } catch (error) {
        if (!isBusy(error)) throw error
        throw new MotiaError(
          'DATA_FILE_IN_USE',
          `${file} is in use by another process. Stop the other motia-like server of this project, or run this one with --memory or another --dir.`,
          { cause: error },
        )
      }
      db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`)
    }
    // NORMAL is durable in WAL mode except for the last transactions before a power loss.
    db.pragma('synchronous = NORMAL')
  } catch (error) {
    db.close()
    throw error
  }
  return db
}
