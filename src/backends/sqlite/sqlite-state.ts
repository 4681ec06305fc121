import type { Database } from 'better-sqlite3'
import { MotiaError } from '../../errors.ts'
import { openDatabase } from './open-database.ts'
import { toStorageError } from './to-storage-error.ts'
import { writeBatchOf } from './write-batch.ts'
import type { StateStore } from '../../state/state-store.ts'
import { toNextCursor } from '../../state/to-page.ts'
import { toStateJson } from '../../state/to-state-json.ts'

/** Where the SQLite state store keeps its rows: a file it opens and closes, or a database someone else owns. */
export type SqliteStateOptions = { file: string } | { db: Database }

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS state (
    group_name TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (group_name, key)
  )
`

/** Group names in order from the first that meets `first`: one index probe per name (a loose index scan), so many keys in a group cost nothing. */
function groupNamesAfter(first: string): string {
  return `WITH RECURSIVE names(name) AS (
      SELECT (SELECT min(group_name) FROM state WHERE ${first})
      UNION ALL
      SELECT (SELECT min(group_name) FROM state WHERE group_name > names.name) FROM names WHERE names.name IS NOT NULL
    )
    SELECT name FROM names WHERE name IS NOT NULL LIMIT ?`
}

/** A state store in a SQLite table `state`, durable across restarts; it closes the database only if it opened it. */
export function createSqliteStateStore(options: SqliteStateOptions): StateStore {
  const ownsDb = 'file' in options
  const db = ownsDb ? openDatabase(options.file) : options.db
  db.exec(SCHEMA)

  const selectValue = db.prepare<[string, string], string>('SELECT value FROM state WHERE group_name = ? AND key = ?').pluck()
  const upsert = db.prepare<[string, string, string, number]>(
    `INSERT INTO state (group_name, key, value, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (group_name, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  )
  const deleteKey = db
    .prepare<[string, string], string>('DELETE FROM state WHERE group_name = ? AND key = ? RETURNING value')
    .pluck()
  const selectGroup = db.prepare<[string], { key: string; value: string }>(
    'SELECT key, value FROM state WHERE group_name = ? ORDER BY key',
  )
  const selectGroupNames = db.prepare<[], string>('SELECT DISTINCT group_name FROM state ORDER BY group_name').pluck()
  const selectFirstPage = db.prepare<[string, number], { key: string; value: string }>(
    'SELECT key, value FROM state WHERE group_name = ? ORDER BY key LIMIT ?',
  )
  const selectPageAfter = db.prepare<[string, string, number], { key: string; value: string }>(
    'SELECT key, value FROM state WHERE group_name = ? AND key > ? ORDER BY key LIMIT ?',
  )
  const selectFirstGroups = db.prepare<[number], string>(groupNamesAfter('1')).pluck()
  const selectGroupsAfter = db.prepare<[string, number], string>(groupNamesAfter('group_name > ?')).pluck()
  const deleteGroup = db.prepare<[string]>('DELETE FROM state WHERE group_name = ?')

  const batch = writeBatchOf(db)
  let closed = false

  function assertOpen(): void {
    if (closed) throw new MotiaError('STATE_CLOSED', 'The SQLite state store is closed. Create a new store to keep using state.')
  }

  /** Runs a write in the open batch; a full or failing disk becomes a BackendUnavailableError. */
  function write<T>(statement: () => T): T {
    assertOpen()
    try {
      batch.join()
      return statement()
    } catch (error) {
      throw toStorageError(error, db.name)
    }
  }

  function parse<T>(json: string | undefined): T | null {
    return json === undefined ? null : (JSON.parse(json) as T)
  }

  return {
    async get<T>(group: string, key: string): Promise<T | null> {
      assertOpen()
      return parse<T>(selectValue.get(group, key))
    },

    async set<T>(group: string, key: string, value: T): Promise<T> {
      const json = toStateJson(group, key, value)
      write(() => upsert.run(group, key, json, Date.now()))
      await batch.committed()
      return value
    },

    async delete<T>(group: string, key: string): Promise<T | null> {
      const removed = parse<T>(write(() => deleteKey.get(group, key)))
      await batch.committed()
      return removed
    },

    async getGroup<T>(group: string): Promise<T[]> {
      assertOpen()
      return selectGroup.all(group).map((row) => JSON.parse(row.value) as T)
    },

    async entries<T>(group: string): Promise<{ key: string; value: T }[]> {
      assertOpen()
      return selectGroup.all(group).map((row) => ({ key: row.key, value: JSON.parse(row.value) as T }))
    },

    async entriesPage<T>(group: string, query: { limit: number; cursor?: string }) {
      assertOpen()
      const { cursor, limit } = query
      const rows = cursor === undefined ? selectFirstPage.all(group, limit + 1) : selectPageAfter.all(group, cursor, limit + 1)
      const page = rows.slice(0, limit)
      return {
        items: page.map((row) => ({ key: row.key, value: JSON.parse(row.value) as T })),
        nextCursor: rows.length > limit ? (page[page.length - 1]?.key ?? null) : null,
      }
    },

    async groupsPage(query) {
      assertOpen()
      const { cursor, limit } = query
      const names = cursor === undefined ? selectFirstGroups.all(limit + 1) : selectGroupsAfter.all(cursor, limit + 1)
      const { names: groups, nextCursor } = toNextCursor(names, limit)
      return { groups, nextCursor }
    },

    async groups(): Promise<string[]> {
      assertOpen()
      return selectGroupNames.all()
    },

    async clear(group: string): Promise<void> {
      write(() => deleteGroup.run(group))
      await batch.committed()
    },

    async close(): Promise<void> {
      if (closed) return
      closed = true
      if (ownsDb) {
        batch.close()
        db.close()
      }
    },
  }
}
