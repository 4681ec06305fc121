import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { ValidationError } from '../../errors.ts'
import { openDatabase } from './open-database.ts'
import { writeBatchOf } from './write-batch.ts'
import { createSqliteStateStore } from './sqlite-state.ts'
import { runQueueContract } from '../../queue/queue.contract.ts'
import { createDeferred, toConsumerOptions, toNewJob } from '../../queue/queue-contract-helpers.ts'
import { createSqliteQueue } from './sqlite-queue.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motia-like-queue-'))
let fileCount = 0
const nextFile = (): string => path.join(dir, `queue-${++fileCount}.db`)

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

const storeErrors: unknown[] = []
runQueueContract('sqlite queue', () => createSqliteQueue({ file: nextFile() }, { onError: (error) => storeErrors.push(error) }))

afterAll(() => {
  expect(storeErrors).toEqual([])
})

describe('sqlite queue only', () => {
  it('has the jobs committed when enqueue resolves: another connection sees them', async () => {
    const file = nextFile()
    // A plain WAL connection, so a second connection can read the file while the queue runs.
    const db = new BetterSqlite3(file)
    db.pragma('journal_mode = WAL')
    const queue = createSqliteQueue({ db })
    const reader = new BetterSqlite3(file, { readonly: true })
    const [job] = await queue.enqueue([toNewJob({ data: { name: 'kept' } })])
    expect(reader.prepare('SELECT status, data FROM jobs WHERE id = ?').get(job?.id)).toEqual({ status: 'pending', data: '{"name":"kept"}' })
    reader.close()
    await queue.close()
    db.close()
  })

  it('keeps pending, delayed and retry-waiting jobs with their runAt across close and reopen', async () => {
    const file = nextFile()
    const first = createSqliteQueue({ file })
    const failed = createDeferred()
    first.onEvent((event) => {
      if (event.type === 'failed') failed.resolve()
    })
    first.consume('flaky', toConsumerOptions({ backoff: { baseMs: 600_000, maxMs: 600_000 } }), async () => {
      throw new Error('down')
    })
    const [pending, delayed] = await first.enqueue([
      toNewJob({ data: { name: 'pending' }, priority: 2 }),
      toNewJob({ data: { name: 'delayed' }, delayMs: 3_600_000 }),
    ])
    const [waiting] = await first.enqueue([toNewJob({ step: 'flaky', maxRetries: 2 })])
    await failed.promise
    const before = await Promise.all([pending, delayed, waiting].map((job) => first.get(job?.id ?? '')))
    expect(before.map((job) => job?.status)).toEqual(['pending', 'pending', 'failed'])
    await first.close()

    const second = createSqliteQueue({ file })
    const after = await Promise.all([pending, delayed, waiting].map((job) => second.get(job?.id ?? '')))
    expect(after).toEqual(before)
    expect(after[1]?.runAt).toBe((delayed?.createdAt ?? 0) + 3_600_000)
    expect(after[2]?.runAt).toBeGreaterThan(Date.now() + 250_000)
    expect((await second.stats()).byStatus).toMatchObject({ pending: 2, failed: 1 })
    await second.close()
  })

  it('runs again, after reopening, a job whose process stopped during its attempt, without counting it', async () => {
    const file = nextFile()
    const db = openDatabase(file)
    const first = createSqliteQueue({ db })
    const started = createDeferred()
    first.consume('s', toConsumerOptions({ timeoutMs: 60_000 }), () => {
      started.resolve()
      return new Promise<void>(() => {})
    })
    const [job] = await first.enqueue([toNewJob({ step: 's', maxRetries: 0, data: { name: 'hung' } })])
    await started.promise
    expect((await first.get(job?.id ?? ''))?.status).toBe('running')
    // A killed process never gets to close its queue: the row stays `running` in the file.
    db.close()

    const second = createSqliteQueue({ file })
    const recovered = await second.get(job?.id ?? '')
    expect(recovered).toMatchObject({ status: 'pending', attempts: 0, maxAttempts: 1 })
    expect(recovered?.errors).toEqual([
      { attempt: 1, message: expect.stringMatching(/process stopped while attempt 1 was running/), at: expect.any(Number) },
    ])
    const ran: string[] = []
    second.consume('s', toConsumerOptions(), async (running) => {
      ran.push(`${running.id} attempt ${running.attempts}`)
    })
    await second.drain()
    expect(ran).toEqual([`${job?.id} attempt 1`])
    expect(await second.get(job?.id ?? '')).toMatchObject({ status: 'completed', attempts: 1 })
    await second.close()
    await first.close(0)
  })

  it('counts a cut-off of a job running alone after an earlier cut-off as failed, so a job that kills its process ends dead', async () => {
    const file = nextFile()
    let id = ''
    const lastErrors: string[] = []
    for (let run = 0; run < 3; run++) {
      const db = openDatabase(file)
      const queue = createSqliteQueue({ db })
      const started = createDeferred()
      queue.consume('poison', toConsumerOptions({ timeoutMs: 60_000 }), () => {
        started.resolve()
        return new Promise<void>(() => {})
      })
      if (run === 0) id = (await queue.enqueue([toNewJob({ step: 'poison', maxRetries: 1 })]))[0]?.id ?? ''
      await started.promise
      await writeBatchOf(db).committed()
      db.close()
      const reopened = createSqliteQueue({ file })
      const job = await reopened.get(id)
      lastErrors.push(`${job?.status} ${job?.attempts}`)
      await reopened.close()
    }
    expect(lastErrors).toEqual(['pending 0', 'failed 1', 'dead 2'])
    const final = createSqliteQueue({ file })
    const dead = await final.get(id)
    expect(dead?.errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/attempt 1 was running; the job runs again alone, and that attempt does not count/),
      expect.stringMatching(/attempt 1 was running alone, after an earlier stop; the job is taken to stop the process, so the attempt counts as failed/),
      expect.stringMatching(/attempt 2 was running alone, after an earlier stop; the job is taken to stop the process, so the attempt counts as failed/),
    ])
    await final.close()
  })

  it('prunes completed jobs beyond keepCompleted and older than keepCompletedMs, never dead ones', async () => {
    const file = nextFile()
    let time = Date.now()
    const options = { now: () => time, keepCompleted: 3, keepCompletedMs: 60_000 }
    const first = createSqliteQueue({ file }, options)
    first.consume('s', toConsumerOptions(), async (job) => {
      if ((job.data as { fail?: boolean }).fail) throw new Error('dead on purpose')
    })
    const [dead] = await first.enqueue([toNewJob({ step: 's', data: { fail: true } })])
    const completed = []
    for (let index = 0; index < 8; index += 1) {
      completed.push(...(await first.enqueue([toNewJob({ step: 's', data: { index } })])))
      await first.drain()
    }
    const { total } = await first.list({ status: 'completed' })
    expect(total).toBeGreaterThanOrEqual(3)
    expect(total).toBeLessThanOrEqual(4)
    expect(await first.get(completed[0]?.id ?? '')).toBeNull()
    expect((await first.get(completed[7]?.id ?? ''))?.status).toBe('completed')
    expect((await first.stats()).byStatus.completed).toBe(total)
    await first.close()

    time += 61_000
    const second = createSqliteQueue({ file }, options)
    expect((await second.list({ status: 'completed' })).total).toBe(0)
    expect((await second.stats()).byStatus).toMatchObject({ completed: 0, dead: 1 })
    expect((await second.get(dead?.id ?? ''))?.errors).toEqual([
      expect.objectContaining({ message: 'dead on purpose', stack: expect.stringContaining('dead on purpose') }),
    ])
    await second.close()
  })

  it('shares one database with the state store and leaves it open on close', async () => {
    const db = openDatabase(nextFile())
    const state = createSqliteStateStore({ db })
    const queue = createSqliteQueue({ db })
    queue.consume('s', toConsumerOptions(), async (job) => {
      await state.set('seen', job.id, true)
    })
    const [job] = await queue.enqueue([toNewJob({ step: 's' })])
    await queue.drain()
    await queue.close()
    await state.close()
    expect(db.open).toBe(true)
    expect(db.prepare('SELECT status FROM jobs WHERE id = ?').pluck().get(job?.id)).toBe('completed')
    expect(db.prepare('SELECT value FROM state WHERE key = ?').pluck().get(job?.id)).toBe('true')
    db.close()
  })

  it('finds payload text containing LIKE wildcards literally', async () => {
    const queue = createSqliteQueue({ file: nextFile() })
    const [percent] = await queue.enqueue([toNewJob({ data: { note: '100%_off' } }), toNewJob({ data: { note: '100 off' } })])
    expect((await queue.list({ search: '100%_' })).jobs.map((job) => job.id)).toEqual([percent?.id])
    expect((await queue.list({ search: '"note":"100' })).total).toBe(2)
    await queue.close()
  })

  it('rejects an emit whose data cannot be stored as JSON, and stores nothing of it', async () => {
    const queue = createSqliteQueue({ file: nextFile() })
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    await expect(queue.enqueue([toNewJob(), toNewJob({ data: cyclic })])).rejects.toBeInstanceOf(ValidationError)
    expect((await queue.list()).total).toBe(0)
    expect((await queue.stats()).byStatus.pending).toBe(0)
    await queue.close()
  })
})
