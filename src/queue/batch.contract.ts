/**
 * The meaning of batches, as cases of the flow-control suite (flow-control.contract.ts) that every
 * backend runs: a batch holds `maxSize` jobs at most, runs when full or `timeoutMs` after its first job
 * came due, never mixes keys, and is one attempt of each of its jobs, retried and dead-lettered as a unit.
 */
import { expect, it } from 'vitest'
import { NonRetriableError } from '../errors.ts'
import type { Batch, ConsumerOptions, Job, Queue } from './queue.ts'
import { eventually, nameOf, toConsumerOptions, toNewJob } from './queue-contract-helpers.ts'

const step = 'batch-step'

/** One handler call: the names of its jobs' data, its jobs' ids, and when it started. */
interface Call {
  names: string[]
  ids: string[]
  at: number
}

const batched = (batch: Partial<Batch>, overrides: Partial<ConsumerOptions> = {}): ConsumerOptions =>
  toConsumerOptions({ concurrency: 2, batch: { maxSize: 10, timeoutMs: 100, keyOf: () => '', ...batch }, ...overrides })

const named = (names: readonly string[], extra: Record<string, unknown> = {}, maxRetries = 0) =>
  names.map((name) => toNewJob({ step, data: { name, ...extra }, maxRetries }))

const range = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, index) => `${prefix}${index}`)

/** A handler that records its calls and then runs `then` (which may throw to fail the batch). */
function recorder(calls: Call[], then: (call: Call) => void | Promise<void> = () => {}) {
  return async (job: Job, _abort: unknown, batch?: readonly Job[]): Promise<void> => {
    const jobs = batch ?? [job]
    const call = { names: jobs.map((each) => nameOf(each.data)), ids: jobs.map((each) => each.id), at: Date.now() }
    calls.push(call)
    await then(call)
  }
}

/** Declares the batch cases; `open` gives a fresh queue that the suite closes. */
export function runBatchCases(open: () => Promise<Queue>, slackMs: number): void {
  it('batches: never more than maxSize inputs in one call, and every input exactly once', async () => {
    const queue = await open()
    const calls: Call[] = []
    queue.consume(step, batched({ maxSize: 10 }), recorder(calls))
    await queue.enqueue(named(range('job-', 25)))
    await queue.drain()
    expect(calls.every((call) => call.names.length >= 1 && call.names.length <= 10)).toBe(true)
    expect(calls.flatMap((call) => call.names).sort()).toEqual(range('job-', 25).sort())
    const { jobs } = await queue.list({ step, limit: 100 })
    expect(jobs.map((job) => [job.status, job.attempts])).toEqual(Array.from({ length: 25 }, () => ['completed', 1]))
    // The jobs of one call share a batchId, and no other job has it.
    for (const call of calls) {
      const ids = new Set(jobs.filter((job) => call.ids.includes(job.id)).map((job) => job.batchId))
      expect(ids.size).toBe(1)
      expect(jobs.filter((job) => job.batchId === [...ids][0]).length).toBe(call.ids.length)
    }
  })

  it('batches: runs a batch that is not full timeoutMs after its first input, with the inputs in queue order', async () => {
    const queue = await open()
    const calls: Call[] = []
    queue.consume(step, batched({ maxSize: 10, timeoutMs: 300 }), recorder(calls))
    const before = Date.now()
    await queue.enqueue(named(['a', 'b', 'c']))
    await queue.drain()
    expect(calls.map((call) => call.names)).toEqual([['a', 'b', 'c']])
    expect(calls[0]?.at).toBeGreaterThanOrEqual(before + 300 - slackMs)
  })

  it('batches: inputs of different keys never share a batch', async () => {
    const queue = await open()
    const calls: Call[] = []
    const keyOf = (data: unknown): string => String((data as { tenant: string }).tenant)
    queue.consume(step, batched({ maxSize: 10, timeoutMs: 100, keyOf }), recorder(calls))
    await queue.enqueue([...named(['a0', 'a1', 'a2'], { tenant: 'a' }), ...named(['b0', 'b1'], { tenant: 'b' }), ...named(['a3'], { tenant: 'a' })])
    await queue.drain()
    for (const call of calls) expect(new Set(call.names.map((name) => name[0])).size).toBe(1)
    expect(calls.flatMap((call) => call.names).sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1'])
  })

  it('batches: a failed batch retries as a unit, not mixed with newer inputs, each job counting the attempt', async () => {
    const queue = await open()
    const calls: Call[] = []
    queue.consume(
      step,
      batched({ maxSize: 4, timeoutMs: 200 }, { backoff: { baseMs: 20, maxMs: 20 } }),
      recorder(calls, async () => {
        if (calls.length > 1) return
        // Newer inputs arrive while the first attempt runs: the retry must not take them.
        await queue.enqueue(named(['b0', 'b1']))
        throw new Error('warehouse unavailable')
      }),
    )
    await queue.enqueue(named(['a0', 'a1', 'a2'], {}, 2))
    await queue.drain()
    // The retry and the newer inputs' batch may run in either order on a busy machine.
    expect(calls[0]?.names).toEqual(['a0', 'a1', 'a2'])
    expect(calls.slice(1).map((call) => call.names).sort()).toEqual([
      ['a0', 'a1', 'a2'],
      ['b0', 'b1'],
    ])
    const { jobs } = await queue.list({ step })
    const retried = jobs.filter((job) => nameOf(job.data).startsWith('a'))
    expect(retried.map((job) => [job.status, job.attempts, job.errors.map((error) => error.message)])).toEqual(
      Array.from({ length: 3 }, () => ['completed', 2, ['warehouse unavailable']]),
    )
    expect(new Set(retried.map((job) => job.batchId)).size).toBe(1)
    expect(retried[0]?.batchId).toEqual(expect.any(String))
  })

  it('batches: every job of a batch is dead after the last attempt, or at once on NonRetriableError', async () => {
    const queue = await open()
    queue.consume(
      step,
      batched({ maxSize: 2, timeoutMs: 50 }, { backoff: { baseMs: 10, maxMs: 10 } }),
      recorder([], (call) => {
        if (call.names[0]?.startsWith('final')) throw new NonRetriableError('bad rows')
        throw new Error('still down')
      }),
    )
    await queue.enqueue(named(['x0', 'x1'], {}, 1))
    await queue.drain()
    await queue.enqueue(named(['final0', 'final1'], {}, 3))
    await queue.drain()
    const { jobs } = await queue.list({ step })
    const rows = jobs.map((job) => [nameOf(job.data), job.status, job.attempts, job.lastError]).sort()
    expect(rows).toEqual([
      ['final0', 'dead', 1, 'bad rows'],
      ['final1', 'dead', 1, 'bad rows'],
      ['x0', 'dead', 2, 'still down'],
      ['x1', 'dead', 2, 'still down'],
    ])
  })

  it('batches: the step concurrency counts batches running at once', async () => {
    const queue = await open()
    let running = 0
    let most = 0
    const calls: Call[] = []
    queue.consume(
      step,
      batched({ maxSize: 2, timeoutMs: 50 }, { concurrency: 1 }),
      recorder(calls, async () => {
        running += 1
        most = Math.max(most, running)
        await new Promise((resolve) => setImmediate(resolve))
        running -= 1
      }),
    )
    await queue.enqueue(named(range('c', 6)))
    await queue.drain()
    expect(most).toBe(1)
    expect(calls.flatMap((call) => call.names).sort()).toEqual(range('c', 6))
  })

  it('batches: the handler timeout counts from the batch start, and a timed-out batch fails every job', async () => {
    const queue = await open()
    queue.consume(
      step,
      // Filling takes longer than the handler may run: only the handler's own time counts.
      batched({ maxSize: 10, timeoutMs: 300 }, { timeoutMs: 150 }),
      recorder([], (call) => (call.names[0]?.startsWith('hang') ? new Promise<void>(() => {}) : undefined)),
    )
    await queue.enqueue(named(['ok0', 'ok1']))
    await queue.drain()
    await queue.enqueue(named(['hang0', 'hang1']))
    await queue.drain()
    const { jobs } = await queue.list({ step })
    const rows = jobs.map((job) => [nameOf(job.data), job.status, job.lastError]).sort()
    const timedOut = `Step "${step}" did not finish within 0.15 s. Make the handler faster or raise infrastructure.handler.timeout.`
    expect(rows).toEqual([
      ['hang0', 'dead', timedOut],
      ['hang1', 'dead', timedOut],
      ['ok0', 'completed', null],
      ['ok1', 'completed', null],
    ])
  })

  it('batches: a due job waiting for its batch to fill says `batching` until the batch timeout', async () => {
    const queue = await open()
    queue.consume(step, batched({ maxSize: 10, timeoutMs: 60_000 }), recorder([]))
    const before = Date.now()
    await queue.enqueue(named(['p0', 'p1']))
    const waiting = await eventually(async () => {
      const { jobs } = await queue.list({ step })
      return jobs.length === 2 && jobs.every((job) => job.status === 'pending' && job.wait?.reason === 'batching') && jobs
    })
    for (const job of waiting) {
      expect(job.attempts).toBe(0)
      expect(job.wait?.until).toBeGreaterThanOrEqual(before + 60_000 - slackMs)
      expect(job.wait?.until).toBeLessThanOrEqual(Date.now() + 60_000 + slackMs)
    }
  })
}
