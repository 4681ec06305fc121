/** The part of the Queue contract about driving jobs: keys, cancel, retry, consumers, queries, drain, close. */
import { expect, it } from 'vitest'
import type { OpenQueue } from './queue.contract.ts'
import {
  contractStep as step,
  createDeferred,
  nameOf,
  nextEvent,
  nextTurn,
  recordEvents,
  toConsumerOptions,
  toNewJob,
} from './queue-contract-helpers.ts'

/** Declares the tests of job control; `runQueueContract` calls it inside its describe block. */
export function describeQueueControl(open: OpenQueue): void {
  it('creates one job per (step, idempotencyKey) and returns the existing one', async () => {
    const queue = await open()
    let calls = 0
    const [first] = await queue.enqueue([toNewJob({ idempotencyKey: 'key-1', data: { name: 'first' } })])
    const [again, sameBatch, otherStep] = await queue.enqueue([
      toNewJob({ idempotencyKey: 'key-1', data: { name: 'again' } }),
      toNewJob({ idempotencyKey: 'key-1', data: { name: 'same-batch' } }),
      toNewJob({ idempotencyKey: 'key-1', step: 'other-step' }),
    ])
    expect(again?.id).toBe(first?.id)
    expect(again?.data).toEqual({ name: 'first' })
    expect(sameBatch?.id).toBe(first?.id)
    expect(otherStep?.id).not.toBe(first?.id)
    expect((await queue.list({ step })).total).toBe(1)
    queue.consume(step, toConsumerOptions(), async () => {
      calls += 1
    })
    await queue.drain()
    expect(calls).toBe(1)
  })

  it('cancels a pending job so it never runs, and leaves a completed job unchanged', async () => {
    const queue = await open()
    const ran: string[] = []
    const [doomed, kept] = await queue.enqueue([toNewJob({ data: { name: 'doomed' } }), toNewJob({ data: { name: 'kept' } })])
    const cancelled = await queue.cancel(doomed?.id ?? '')
    expect(cancelled).toMatchObject({ id: doomed?.id, status: 'cancelled' })
    expect(cancelled?.finishedAt).toEqual(expect.any(Number))
    queue.consume(step, toConsumerOptions(), async (job) => {
      ran.push(nameOf(job.data))
    })
    await queue.drain()
    expect(ran).toEqual(['kept'])
    expect((await queue.get(doomed?.id ?? ''))?.status).toBe('cancelled')
    const completed = await queue.get(kept?.id ?? '')
    expect(completed?.status).toBe('completed')
    expect(await queue.cancel(kept?.id ?? '')).toEqual(completed)
    expect(await queue.get(kept?.id ?? '')).toEqual(completed)
    expect(await queue.cancel('no-such-job')).toBeNull()
  })

  it('cancels a job waiting for a retry, so drain no longer waits for it', async () => {
    const queue = await open()
    queue.consume(step, toConsumerOptions({ backoff: { baseMs: 600_000, maxMs: 600_000 } }), async () => {
      throw new Error('later')
    })
    const failed = nextEvent(queue, (event) => event.type === 'failed')
    const [job] = await queue.enqueue([toNewJob({ maxRetries: 3 })])
    await failed
    expect((await queue.get(job?.id ?? ''))?.status).toBe('failed')
    expect((await queue.cancel(job?.id ?? ''))?.status).toBe('cancelled')
    await queue.drain()
    expect(await queue.get(job?.id ?? '')).toMatchObject({ status: 'cancelled', attempts: 1 })
  })

  it('retries a dead job with fresh attempts, keeping its error history', async () => {
    const queue = await open()
    let broken = true
    queue.consume(step, toConsumerOptions(), async () => {
      if (broken) throw new Error('still broken')
    })
    const [job] = await queue.enqueue([toNewJob({ maxRetries: 1 })])
    await queue.drain()
    expect(await queue.get(job?.id ?? '')).toMatchObject({ status: 'dead', attempts: 2 })

    broken = false
    const retried = await queue.retry(job?.id ?? '')
    expect(retried).toMatchObject({ status: 'pending', attempts: 0, maxAttempts: 2 })
    expect(retried?.errors).toHaveLength(2)
    await queue.drain()
    const done = await queue.get(job?.id ?? '')
    expect(done).toMatchObject({ status: 'completed', attempts: 1 })
    expect(done?.errors).toHaveLength(2)
    expect(await queue.retry(job?.id ?? '')).toEqual(done)
    expect(await queue.retry('no-such-job')).toBeNull()
  })

  it('keeps jobs pending while a step has no consumer and runs them when one comes back', async () => {
    const queue = await open()
    const ran: string[] = []
    queue.consume(step, toConsumerOptions(), async () => {
      ran.push('first consumer')
    })
    queue.stopConsuming(step)
    const [job] = await queue.enqueue([toNewJob()])
    await queue.drain()
    expect((await queue.get(job?.id ?? ''))?.status).toBe('pending')
    queue.consume(step, toConsumerOptions(), async () => {
      ran.push('second consumer')
    })
    await queue.drain()
    expect(ran).toEqual(['second consumer'])
    expect((await queue.get(job?.id ?? ''))?.status).toBe('completed')
  })

  it('lets running attempts finish on a replaced consumer and runs later jobs on the new one', async () => {
    const queue = await open()
    const ran: string[] = []
    const started = createDeferred()
    const release = createDeferred()
    queue.consume(step, toConsumerOptions({ concurrency: 1 }), async (job) => {
      ran.push(`old ${nameOf(job.data)}`)
      started.resolve()
      await release.promise
    })
    await queue.enqueue([toNewJob({ data: { name: 'one' } }), toNewJob({ data: { name: 'two' } })])
    await started.promise
    queue.consume(step, toConsumerOptions({ concurrency: 1 }), async (job) => {
      ran.push(`new ${nameOf(job.data)}`)
    })
    release.resolve()
    await queue.drain()
    expect(ran).toEqual(['old one', 'new two'])
  })

  it('lists jobs newest first by status, step, topic, traceId and payload text, with the total', async () => {
    const queue = await open()
    const [ann, bob, cy] = await queue.enqueue([
      toNewJob({ step: 'list-a', topic: 't1', traceId: 'x', data: { email: 'ann@example.com' } }),
      toNewJob({ step: 'list-a', topic: 't2', traceId: 'y', data: { email: 'bob@example.com' } }),
      toNewJob({ step: 'list-b', topic: 't1', traceId: 'x', data: { email: 'cy@example.com' } }),
    ])
    await queue.cancel(bob?.id ?? '')
    const ids = async (filter: Parameters<typeof queue.list>[0]): Promise<[string[], number]> => {
      const { jobs, total } = await queue.list(filter)
      return [jobs.map((job) => job.id), total]
    }
    expect(await ids({})).toEqual([[cy?.id, bob?.id, ann?.id], 3])
    expect(await ids({ step: 'list-a' })).toEqual([[bob?.id, ann?.id], 2])
    expect(await ids({ topic: 't1' })).toEqual([[cy?.id, ann?.id], 2])
    expect(await ids({ traceId: 'y' })).toEqual([[bob?.id], 1])
    expect(await ids({ search: 'cy@example' })).toEqual([[cy?.id], 1])
    expect(await ids({ status: 'cancelled' })).toEqual([[bob?.id], 1])
    expect(await ids({ status: 'pending', topic: 't1', step: 'list-a' })).toEqual([[ann?.id], 1])
    expect(await ids({ limit: 1 })).toEqual([[cy?.id], 3])
    expect(await ids({ limit: 1, offset: 1 })).toEqual([[bob?.id], 3])
    expect(await ids({ search: 'nobody' })).toEqual([[], 0])
  })

  it('counts jobs by status and step, the depth, the oldest pending age and run times', async () => {
    const queue = await open()
    const empty = await queue.stats()
    expect(empty.byStatus).toEqual({ pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, dead: 0, skipped: 0 })
    expect(empty).toMatchObject({ depth: 0, oldestPendingAgeMs: null, runTimeMs: { p50: null, p95: null } })

    const [waiting, dropped] = await queue.enqueue([toNewJob({ step: 'idle-step' }), toNewJob({ step: 'idle-step' })])
    await queue.cancel(dropped?.id ?? '')
    queue.consume(step, toConsumerOptions({ concurrency: 3 }), async (job) => {
      if (nameOf(job.data) === 'bad') throw new Error('bad')
    })
    await queue.enqueue([toNewJob({ data: { name: 'ok' } }), toNewJob({ data: { name: 'ok' } }), toNewJob({ data: { name: 'bad' } })])
    await queue.drain()

    const stats = await queue.stats()
    expect(stats.byStatus).toEqual({ pending: 1, running: 0, completed: 2, failed: 0, cancelled: 1, dead: 1, skipped: 0 })
    expect(stats.byStep[step]).toMatchObject({ completed: 2, dead: 1 })
    expect(stats.byStep['idle-step']).toMatchObject({ pending: 1, cancelled: 1 })
    expect(stats.depth).toBe(1)
    expect(stats.oldestPendingAgeMs).toBeGreaterThanOrEqual(0)
    expect(stats.oldestPendingAgeMs).toBeLessThanOrEqual(Date.now() - (waiting?.createdAt ?? 0))
    expect(stats.runTimeMs.p50).toBeGreaterThanOrEqual(0)
    expect(stats.runTimeMs.p95).toBeGreaterThanOrEqual(stats.runTimeMs.p50 ?? Infinity)
  })

  it('resolves drain at once when idle, and every concurrent drain once the work is done', async () => {
    const queue = await open()
    await queue.drain()
    const release = createDeferred()
    const started = createDeferred()
    let finished = 0
    queue.consume(step, toConsumerOptions(), async () => {
      started.resolve()
      await release.promise
      finished += 1
    })
    await queue.drain()
    await queue.enqueue([toNewJob(), toNewJob()])
    await started.promise
    const drains = [queue.drain(), queue.drain(), queue.drain()].map((drain) => drain.then(() => finished))
    release.resolve()
    expect(await Promise.all(drains)).toEqual([2, 2, 2])
  })

  it('reports events only to subscribed listeners, and only of the types they asked for', async () => {
    const queue = await open()
    const kept = recordEvents(queue)
    const dropped: string[] = []
    const unsubscribe = queue.onEvent((event) => dropped.push(event.type))
    unsubscribe()
    const failures: string[] = []
    queue.onEvent((event) => failures.push(`${event.type} ${nameOf(event.job.data)}`), ['failed'])
    queue.consume(step, toConsumerOptions(), async (job) => {
      if (nameOf(job.data) === 'bad') throw new Error('bad')
    })
    await queue.enqueue([toNewJob({ data: { name: 'good' } }), toNewJob({ data: { name: 'bad' } })])
    await queue.drain()
    expect(kept.map((event) => `${event.type} ${nameOf(event.job.data)}`)).toEqual([
      'started good',
      'completed good',
      'started bad',
      'failed bad',
    ])
    expect(dropped).toEqual([])
    expect(failures).toEqual(['failed bad'])
  })

  it('waits on close for a running attempt, starts no other, and closes once', async () => {
    const queue = await open()
    const log: string[] = []
    const started = createDeferred()
    const release = createDeferred()
    queue.onEvent((event) => log.push(`${event.type} ${nameOf(event.job.data)}`))
    queue.consume(step, toConsumerOptions({ concurrency: 1 }), async (job) => {
      if (nameOf(job.data) !== 'running') return
      started.resolve()
      await release.promise
    })
    await queue.enqueue([toNewJob({ data: { name: 'running' } }), toNewJob({ data: { name: 'waiting' } })])
    await started.promise
    const closed = queue.close(5_000).then(() => log.push('closed'))
    await nextTurn()
    expect(log).toEqual(['started running'])
    release.resolve()
    await closed
    await queue.close()
    expect(log).toEqual(['started running', 'completed running', 'closed'])
  })

  it('gives up on a running attempt after graceMs on close', async () => {
    const queue = await open()
    const started = createDeferred()
    queue.consume(step, toConsumerOptions({ timeoutMs: 60_000 }), () => {
      started.resolve()
      return new Promise<void>(() => {})
    })
    await queue.enqueue([toNewJob()])
    await started.promise
    await queue.close(30)
  })
}
