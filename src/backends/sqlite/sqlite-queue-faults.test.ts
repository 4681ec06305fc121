import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BackendUnavailableError } from '../../errors.ts'
import { createCounter, createDeferred, nextTurn, toConsumerOptions, toNewJob } from '../../queue/queue-contract-helpers.ts'
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

describe('sqlite queue in a crash loop', () => {
  it('charges the crashes to the job that causes them: the ten jobs running beside it complete, it ends dead', async () => {
    const file = nextFile()
    const innocents: string[] = []
    let poison = ''
    const log: string[] = []
    for (let run = 0; run < 8; run += 1) {
      const db = openDatabase(file)
      const queue = createSqliteQueue({ db }, { onError: () => {} })
      const crashed = createDeferred<string>()
      const innocentsRunning = createCounter()
      queue.consume('innocent', toConsumerOptions({ concurrency: 10 }), async () => {
        innocentsRunning.add()
        // Work that takes longer than the poison job needs to stop the process.
        await new Promise((resolve) => setTimeout(resolve, 30))
      })
      queue.consume('poison', toConsumerOptions({ timeoutMs: 60_000 }), async () => {
        if (run === 0) await innocentsRunning.reached(10)
        await nextTurn()
        // The process dies here: nothing after this is written.
        db.close()
        crashed.resolve('crashed')
      })
      if (run === 0) {
        const jobs = await queue.enqueue([
          ...Array.from({ length: 10 }, () => toNewJob({ step: 'innocent', maxRetries: 1 })),
          toNewJob({ step: 'poison', maxRetries: 1 }),
        ])
        innocents.push(...jobs.slice(0, 10).map((job) => job.id))
        poison = jobs[10]?.id ?? ''
      }
      const outcome = await Promise.race([crashed.promise, queue.drain().then(() => 'drained')])
      log.push(outcome)
      await queue.close(0)
      if (db.open) db.close()
      if (outcome === 'drained') break
    }
    const final = createSqliteQueue({ file })
    for (const id of innocents) expect(await final.get(id)).toMatchObject({ status: 'completed', attempts: 1 })
    expect(await final.get(poison)).toMatchObject({ status: 'dead', attempts: 2 })
    expect(log.at(-1)).toBe('drained')
    await final.close()
  })
})
