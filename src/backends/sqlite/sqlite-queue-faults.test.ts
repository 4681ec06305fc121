import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BackendUnavailableError } from '../../errors.ts'
import { nextTurn, toConsumerOptions, toNewJob } from '../../queue/queue-contract-helpers.ts'
import { openDatabase } from './open-database.ts'
import { createSqliteQueue } from './sqlite-queue.ts'
import { createSqliteStateStore } from './sqlite-state.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motia-like-queue-faults-'))
let fileCount = 0
const nextFile = (): string => path.join(dir, `queue-${++fileCount}.db`)

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('sqlite queue when the disk fails', () => {
  it('runs no job whose insert was not committed: an emit that fails at COMMIT ran nothing', async () => {
    const db = openDatabase(nextFile())
    // A check deferred to COMMIT: the one way to make a real COMMIT fail on demand, as a full disk would.
    db.pragma('foreign_keys = ON')
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)')
    const errors: unknown[] = []
    const queue = createSqliteQueue({ db }, { onError: (error) => errors.push(error) })
    const ran: string[] = []
    queue.consume('s', toConsumerOptions(), async (job) => {
      ran.push(String((job.data as { name: string }).name))
    })
    const emitted = queue.enqueue([toNewJob({ step: 's', data: { name: 'lost' } })])
    db.prepare('INSERT INTO child VALUES (42)').run()
    await expect(emitted).rejects.toThrow(/FOREIGN KEY constraint failed/)
    for (let turn = 0; turn < 5; turn += 1) await nextTurn()
    expect(ran).toEqual([])
    expect((await queue.list()).total).toBe(0)
    expect(errors).toHaveLength(1)

    await queue.enqueue([toNewJob({ step: 's', data: { name: 'kept' } })])
    await queue.drain()
    expect(ran).toEqual(['kept'])
    await queue.close()
    db.close()
  })

  it('answers a full disk with a BackendUnavailableError naming the file and the cause, for jobs and state', async () => {
    const file = nextFile()
    const db = openDatabase(file)
    const queue = createSqliteQueue({ db })
    const state = createSqliteStateStore({ db })
    await queue.enqueue([toNewJob({ step: 's' })])
    await state.set('g', 'k', 1)
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`)
    const big = 'x'.repeat(200_000)
    const full = /The data file .*queue-\d+\.db cannot be written \(database or disk is full\), so nothing of this request was stored\. Free disk space/
    const emitted = queue.enqueue([toNewJob({ step: 's', data: { big } })])
    await expect(emitted).rejects.toBeInstanceOf(BackendUnavailableError)
    await expect(emitted).rejects.toThrow(full)
    await expect(state.set('g', 'big', big)).rejects.toThrow(full)
    expect((await queue.list()).total).toBe(1)
    expect(await state.get('g', 'big')).toBeNull()
    await queue.close()
    await state.close()
    db.close()
  })
})
