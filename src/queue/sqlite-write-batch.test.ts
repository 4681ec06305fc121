import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../sqlite/open-database.ts'
import { createSqliteStateStore } from '../state/sqlite-state.ts'
import { createWriteBatch } from './sqlite-write-batch.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motia-like-batch-'))
let fileCount = 0

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A database with a table `t`, and a second connection that sees only committed rows. */
function openPair(): { db: BetterSqlite3.Database; committed: () => number; close: () => void } {
  const file = path.join(dir, `batch-${++fileCount}.db`)
  const db = openDatabase(file)
  db.exec('CREATE TABLE t (v INTEGER)')
  const reader = new BetterSqlite3(file, { readonly: true })
  const count = reader.prepare<[], number>('SELECT COUNT(*) FROM t').pluck()
  return {
    db,
    committed: () => count.get() ?? 0,
    close: () => {
      reader.close()
      db.close()
    },
  }
}

describe('write batch', () => {
  it('commits the writes of one turn together, before a continuation that awaits them runs', async () => {
    const { db, committed, close } = openPair()
    const batch = createWriteBatch(db, () => {})
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    const write = async (value: number): Promise<void> => {
      batch.join()
      insert.run(value)
    }
    const writes = [write(1), write(2), write(3)]
    expect(db.inTransaction).toBe(true)
    expect(committed()).toBe(0)
    await Promise.all(writes)
    expect(committed()).toBe(3)
    expect(db.inTransaction).toBe(false)
    close()
  })

  it('commits a state write that joined the open batch before state.set resolves to its caller', async () => {
    const { db, committed, close } = openPair()
    const batch = createWriteBatch(db, () => {})
    const state = createSqliteStateStore({ db })
    const reader = new BetterSqlite3(db.name, { readonly: true })
    batch.join()
    db.prepare('INSERT INTO t VALUES (1)').run()
    await state.set('orders', 'o1', { shipped: true })
    expect(committed()).toBe(1)
    expect(reader.prepare('SELECT value FROM state WHERE key = ?').pluck().get('o1')).toBe('{"shipped":true}')
    reader.close()
    await state.close()
    close()
  })

  it('leaves a transaction someone else opened alone, and commits on its own after close', () => {
    const { db, committed, close } = openPair()
    const batch = createWriteBatch(db, () => {})
    db.transaction(() => {
      batch.join()
      db.prepare('INSERT INTO t VALUES (1)').run()
    })()
    expect(committed()).toBe(1)
    batch.close()
    batch.join()
    expect(db.inTransaction).toBe(false)
    db.prepare('INSERT INTO t VALUES (2)').run()
    expect(committed()).toBe(2)
    close()
  })
})
