import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Database } from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { runStreamStoreContract } from '../../streams/stream-store.contract.ts'
import { openDatabase } from './open-database.ts'
import { createSqliteStreamStore } from './sqlite-streams.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motia-like-streams-'))
const dbs: Database[] = []
afterAll(() => {
  for (const db of dbs) if (db.open) db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})
let files = 0
const open = (file = path.join(dir, `streams-${++files}.db`)): Database => {
  const db = openDatabase(file)
  dbs.push(db)
  return db
}

runStreamStoreContract('sqlite stream store', () => createSqliteStreamStore({ db: open() }))

describe('sqlite stream store on disk', () => {
  it('keeps items, their creation order and create-vs-update across a restart', async () => {
    const file = path.join(dir, 'restart.db')
    const first = open(file)
    const before = createSqliteStreamStore({ db: first })
    for (const id of ['b', 'a']) await before.set('todo', 'inbox', { id, title: id })
    await before.close()
    first.close()

    const after = createSqliteStreamStore({ db: open(file) })
    expect((await after.getGroup('todo', 'inbox')).map((item) => item.id)).toEqual(['b', 'a'])
    expect(await after.set('todo', 'inbox', { id: 'c' })).toEqual({ created: true })
    expect(await after.set('todo', 'inbox', { id: 'b', title: 'B2' })).toEqual({ created: false })
    expect((await after.getGroup('todo', 'inbox')).map((item) => item.id)).toEqual(['b', 'a', 'c'])
  })
})
