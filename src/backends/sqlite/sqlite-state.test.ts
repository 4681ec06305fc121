import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from './open-database.ts'
import { createSqliteStateStore } from './sqlite-state.ts'
import { runStateContract } from '../../state/state.contract.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motia-like-state-'))
let fileCount = 0
const nextFile = (): string => path.join(dir, `state-${++fileCount}.db`)

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

runStateContract('sqlite state store (file)', () => createSqliteStateStore({ file: nextFile() }))

const sharedDbs: Database[] = []
afterAll(() => {
  for (const db of sharedDbs) db.close()
})

runStateContract('sqlite state store (shared database)', () => {
  const db = openDatabase(':memory:')
  sharedDbs.push(db)
  return createSqliteStateStore({ db })
})

describe('sqlite state store on disk', () => {
  it('keeps data after the store is closed and the file reopened', async () => {
    const file = nextFile()
    const first = createSqliteStateStore({ file })
    await first.set('users', 'u1', { name: 'Ada', tags: ['admin'] })
    await first.set('orders', 'o1', 42)
    await first.close()

    const second = createSqliteStateStore({ file })
    expect(await second.get('users', 'u1')).toEqual({ name: 'Ada', tags: ['admin'] })
    expect(await second.groups()).toEqual(['orders', 'users'])
    await second.close()
  })

  it('creates the parent folder and writes the file in WAL mode', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'data.db')
    const store = createSqliteStateStore({ file })
    await store.set('users', 'u1', 1)
    await store.close()

    const reader = new BetterSqlite3(file, { readonly: true })
    expect(reader.pragma('journal_mode', { simple: true })).toBe('wal')
    reader.close()
  })

  it('leaves a database it was given open when it closes', async () => {
    const db = openDatabase(nextFile())
    const store = createSqliteStateStore({ db })
    await store.set('users', 'u1', 'kept')
    await store.close()
    expect(db.open).toBe(true)
    expect(db.prepare('SELECT value FROM state WHERE group_name = ? AND key = ?').pluck().get('users', 'u1')).toBe('"kept"')
    db.close()
  })
})
