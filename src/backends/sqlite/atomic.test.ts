import { describe, expect, it } from 'vitest'
import { createAtomic } from './atomic.ts'
import { openDatabase } from './open-database.ts'

function setup() {
  const db = openDatabase(':memory:')
  db.exec('CREATE TABLE t (v INTEGER)')
  const insert = db.prepare('INSERT INTO t VALUES (?)')
  const values = () => db.prepare('SELECT v FROM t ORDER BY v').pluck().all()
  return { db, atomic: createAtomic(db), insert, values }
}

describe('createAtomic', () => {
  it('commits what the function wrote and returns its result', () => {
    const { atomic, insert, values, db } = setup()
    expect(atomic(() => insert.run(1).changes)).toBe(1)
    expect(db.inTransaction).toBe(false)
    expect(values()).toEqual([1])
  })

  it('undoes every write of a function that throws, and rethrows', () => {
    const { atomic, insert, values, db } = setup()
    expect(() =>
      atomic(() => {
        insert.run(1)
        throw new Error('half done')
      }),
    ).toThrow('half done')
    expect(db.inTransaction).toBe(false)
    expect(values()).toEqual([])
  })

  it('inside an open transaction undoes only its own writes and leaves the transaction open', () => {
    const { atomic, insert, values, db } = setup()
    db.prepare('BEGIN').run()
    insert.run(1)
    expect(() =>
      atomic(() => {
        insert.run(2)
        throw new Error('inner failed')
      }),
    ).toThrow('inner failed')
    atomic(() => insert.run(3))
    expect(db.inTransaction).toBe(true)
    db.prepare('COMMIT').run()
    expect(values()).toEqual([1, 3])
  })
})
