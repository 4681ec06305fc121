import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from './open-database.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motia-like-open-'))
let fileCount = 0
const nextFile = (): string => path.join(dir, `open-${++fileCount}.db`)

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('openDatabase', () => {
  it('creates the folder and sets WAL, NORMAL sync and an exclusive lock', () => {
    const file = path.join(dir, 'nested', 'data.db')
    const db = openDatabase(file)
    expect(fs.existsSync(file)).toBe(true)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(1)
    expect(db.pragma('locking_mode', { simple: true })).toBe('exclusive')
    db.close()
  })

  it('refuses a file another connection holds, naming the file and the way out, until that one closes', () => {
    const file = nextFile()
    const first = openDatabase(file)
    first.exec('CREATE TABLE t (v INTEGER)')
    let refused: unknown
    try {
      openDatabase(file)
    } catch (error) {
      refused = error
    }
    expect(refused).toMatchObject({ code: 'DATA_FILE_IN_USE' })
    expect((refused as Error).message).toContain(file)
    expect((refused as Error).message).toContain('--memory')
    first.close()
    const second = openDatabase(file)
    expect(second.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0)
    second.close()
  })

  it('opens an in-memory database', () => {
    const db = openDatabase(':memory:')
    expect(db.memory).toBe(true)
    expect(db.prepare('SELECT 1 + 1').pluck().get()).toBe(2)
    db.close()
  })
})
