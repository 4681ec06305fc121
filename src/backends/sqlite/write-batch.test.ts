import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteStateStore } from './sqlite-state.ts'
import { writeBatchOf } from './write-batch.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motia-like-batch-'))
let fileCount = 0

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A database with a table `t`, and a second connection that sees only committed rows. */
function openPair(): { db: BetterSqlite3.Database; committed: () => number; close: () => void } {
  const file = path.join(dir, `batch-${++fileCount}.db`)
  // A plain WAL connection: openDatabase locks the file, and the test reads it from a second connection.
  const db = new BetterSqlite3(file)
  db.pragma('journal_mode = WAL')
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
  it('commits the writes of one turn together, and committed() resolves only after that commit', async () => {
    const { db, committed, close } = openPair()
    const batch = writeBatchOf(db)
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    const write = async (value: number): Promise<number> => {
      batch.join()
      insert.run(value)
      await batch.committed()
      return committed()
    }
    const first = write(1)
    // Writes made in later microtasks of the same turn still join the open batch.
    await Promise.resolve()
    const second = write(2)
    expect(db.inTransaction).toBe(true)
    expect(committed()).toBe(0)
    expect(await Promise.all([first, second, write(3)])).toEqual([3, 3, 3])
    expect(db.inTransaction).toBe(false)
    close()
  })

  it('makes state.set resolve only once the value is committed', async () => {
    const { db, close } = openPair()
    const state = createSqliteStateStore({ db })
    const reader = new BetterSqlite3(db.name, { readonly: true })
    const read = reader.prepare<[string], string>('SELECT value FROM state WHERE key = ?').pluck()
    const setting = state.set('orders', 'o1', { shipped: true })
    expect(read.get('o1')).toBeUndefined()
    await setting
    expect(read.get('o1')).toBe('{"shipped":true}')
    reader.close()
    await state.close()
    close()
  })

  it('rejects the waiters of a batch whose COMMIT fails, rolls it back and tells its listeners', async () => {
    const { db, committed, close } = openPair()
    db.pragma('foreign_keys = ON')
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)')
    const batch = writeBatchOf(db)
    const rolledBack: unknown[] = []
    batch.onRollback((error) => rolledBack.push(error))
    batch.join()
    db.prepare('INSERT INTO t VALUES (1)').run()
    db.prepare('INSERT INTO child VALUES (42)').run()
    await expect(batch.committed()).rejects.toThrow(/FOREIGN KEY/)
    expect(rolledBack).toHaveLength(1)
    expect(committed()).toBe(0)
    expect(db.inTransaction).toBe(false)
    close()
  })

  it('leaves a transaction someone else opened alone, and writes commit on their own after close', async () => {
    const { db, committed, close } = openPair()
    const batch = writeBatchOf(db)
    db.transaction(() => {
      batch.join()
      db.prepare('INSERT INTO t VALUES (1)').run()
    })()
    expect(committed()).toBe(1)
    batch.close()
    batch.join()
    expect(db.inTransaction).toBe(false)
    db.prepare('INSERT INTO t VALUES (2)').run()
    await batch.committed()
    expect(committed()).toBe(2)
    close()
  })
})
