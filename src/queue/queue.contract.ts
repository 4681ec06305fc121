/**
 * The meaning of the Queue interface, as tests every backend runs from its own test file
 * (memory, SQLite, BullMQ). Tests go through the interface only and never sleep: they wait on
 * drain(), on events, or on promises the handlers resolve.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { HandlerTimeoutError, NonRetriableError } from '../errors.ts'
import type { AttemptAbort } from './attempt-abort.ts'
import type { Queue } from './queue.ts'
import {
  contractStep as step,
  createCounter,
  createDeferred,
  nameOf,
  recordEvents,
  toConsumerOptions,
  toNewJob,
} from './queue-contract-helpers.ts'
import { describeQueueControl } from './queue-control.contract.ts'
import { describeQueueFaults } from './queue-faults.contract.ts'

/** Opens a fresh queue for one test; the suite closes it afterwards. */
export type OpenQueue = () => Promise<Queue>

/** Declares the contract suite `name` against queues made by `create`. */
export function runQueueContract(name: string, create: () => Promise<Queue> | Queue): void {
  describe(name, () => {
    const opened: Queue[] = []
    const open: OpenQueue = async () => {
      const queue = await create()
      opened.push(queue)
      return queue
    }
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((queue) => queue.close(100)))
    })

    describeJobRuns(open)
    describeQueueControl(open)
    describeQueueFaults(open)
  })
}

function describeJobRuns(open: OpenQueue): void {
  it('creates pending jobs with every field set and completes them', async () => {
    const queue = await open()
    const before = Date.now()
    const [job, grouped] = await queue.enqueue([
      toNewJob({ data: { n: 1 }, maxRetries: 2 }),
      toNewJob({ messageGroupId: 'g', priority: 3 }),
    ])
    if (!job || !grouped) throw new Error('enqueue returned fewer jobs than asked')
    expect(job).toMatchObject({
      step,
      topic: 'contract.topic',
      data: { n: 1 },
      traceId: 'trace-1',
      status: 'pending',
      attempts: 0,
      maxAttempts: 3,
      lastError: null,
      errors: [],
      messageGroupId: null,
      priority: 0,
      startedAt: null,
      finishedAt: null,
    })
    expect(job.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(grouped.id).not.toBe(job.id)
    expect(grouped).toMatchObject({ messageGroupId: 'g', priority: 3 })
    expect(job.createdAt).toBeGreaterThanOrEqual(before)
    expect(job.runAt).toBe(job.createdAt)
    expect(await queue.get(job.id)).toEqual(job)
    expect(await queue.get('no-such-job')).toBeNull()

    const events = recordEvents(queue)
    const seen: Array<{ status: string; attempts: number; aborted: boolean }> = []
    queue.consume(step, toConsumerOptions(), async (running, abort) => {
      seen.push({ status: running.status, attempts: running.attempts, aborted: abort.aborted })
    })
    await queue.drain()

    expect(seen).toEqual([
      { status: 'running', attempts: 1, aborted: false },
      { status: 'running', attempts: 1, aborted: false },
    ])
    const done = await queue.get(job.id)
    expect(done).toMatchObject({ status: 'completed', attempts: 1, errors: [], lastError: null })
    expect(done?.startedAt).toBeGreaterThanOrEqual(job.createdAt)
    expect(done?.finishedAt).toBeGreaterThanOrEqual(done?.startedAt ?? Infinity)
    const ofJob = events.filter((event) => event.job.id === job.id)
    expect(ofJob.map((event) => event.type)).toEqual(['started', 'completed'])
    const completed = ofJob[1]
    expect(completed?.type === 'completed' && completed.durationMs).toBe((done?.finishedAt ?? 0) - (done?.startedAt ?? 0))
  })

  it('gives the events of an attempt the object its handler gets, and each attempt its own, in steps running at once', async () => {
    const queue = await open()
    const events = recordEvents(queue)
    const steps = [step, `${step}-other`]
    const handed = new Map<string, AttemptAbort[]>()
    // The first attempts of both steps' jobs run at the same time, then fail; the second attempts complete.
    const firstAttempts = createCounter()
    for (const name of steps) {
      queue.consume(name, toConsumerOptions({ backoff: { baseMs: 1, maxMs: 1 } }), async (running, abort) => {
        if (nameOf(running.data) === 'warm') return
        handed.set(running.id, [...(handed.get(running.id) ?? []), abort])
        if (running.attempts > 1) return
        firstAttempts.add()
        await firstAttempts.reached(steps.length)
        throw new Error('the first attempt fails')
      })
    }
    // A job each first, so both steps are set up; then one enqueue each, as an emit makes them (on Redis,
    // numbered by each step's own BullMQ counter, so both jobs can have the same number).
    await queue.enqueue(steps.map((name) => toNewJob({ step: name, data: { name: 'warm' } })))
    await queue.drain()
    const jobs = (await Promise.all(steps.map((name) => queue.enqueue([toNewJob({ step: name, maxRetries: 1 })])))).flat()
    await queue.drain()

    expect(jobs).toHaveLength(2)
    for (const job of jobs) {
      const ofJob = events.filter((event) => event.job.id === job.id)
      expect(ofJob.map((event) => event.type)).toEqual(['started', 'failed', 'started', 'completed'])
      const [first, second] = handed.get(job.id) ?? []
      expect(first).toBeDefined()
      expect(second).toBeDefined()
      expect(first).not.toBe(second)
      const carried = ofJob.map((event) => (event.type === 'cancelled' ? undefined : event.attempt))
      expect(carried[0]).toBe(first)
      expect(carried[1]).toBe(first)
      expect(carried[2]).toBe(second)
      expect(carried[3]).toBe(second)
    }
  })

  it('keeps the trace context of a job through every attempt and a replay, and none when it had none', async () => {
    const queue = await open()
    const traceContext = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const seen: Array<string | undefined> = []
    queue.consume(step, toConsumerOptions({ backoff: { baseMs: 1, maxMs: 1 } }), async (job) => {
      seen.push(job.traceContext)
      // Both attempts of the traced job fail, so it is dead and a replay runs it again.
      if (job.traceContext && seen.filter(Boolean).length <= 2) throw new Error('attempt fails')
    })
    const [traced, plain] = await queue.enqueue([toNewJob({ traceContext, maxRetries: 1 }), toNewJob({ data: { name: 'plain' } })])
    expect(traced?.traceContext).toBe(traceContext)
    expect(plain?.traceContext).toBeUndefined()
    await queue.drain()
    expect(seen.filter((context) => context === traceContext)).toHaveLength(2)
    expect((await queue.get(traced?.id ?? ''))?.traceContext).toBe(traceContext)
    expect((await queue.get(plain?.id ?? ''))?.traceContext).toBeUndefined()

    await queue.retry(traced?.id ?? '')
    await queue.drain()
    expect(seen.filter((context) => context === traceContext)).toHaveLength(3)
  })

  it('retries a failing job with growing backoff, then dead-letters it with one error per attempt', async () => {
    const queue = await open()
    const events = recordEvents(queue)
    queue.consume(step, toConsumerOptions({ backoff: { baseMs: 20, maxMs: 1_000 } }), async (job) => {
      throw new Error(`boom ${job.attempts}`)
    })
    const [job] = await queue.enqueue([toNewJob({ maxRetries: 3 })])
    await queue.drain()

    const dead = await queue.get(job?.id ?? '')
    expect(dead).toMatchObject({ status: 'dead', attempts: 4, maxAttempts: 4, lastError: 'boom 4' })
    expect(dead?.finishedAt).toEqual(expect.any(Number))
    expect(dead?.errors.map((error) => [error.attempt, error.message])).toEqual([
      [1, 'boom 1'],
      [2, 'boom 2'],
      [3, 'boom 3'],
      [4, 'boom 4'],
    ])
    const failures = events.flatMap((event) => (event.type === 'failed' ? [event] : []))
    expect(failures.map((event) => event.willRetry)).toEqual([true, true, true, false])
    const starts = events.flatMap((event) => (event.type === 'started' ? [event.job.startedAt ?? 0] : []))
    expect(starts).toHaveLength(4)
    for (const [index, failure] of failures.slice(0, 3).entries()) {
      const exponential = 20 * 2 ** index
      const delay = failure.job.runAt - (failure.job.errors.at(-1)?.at ?? 0)
      expect(delay).toBeGreaterThanOrEqual(exponential / 2)
      expect(delay).toBeLessThanOrEqual(exponential)
      expect((starts[index + 1] ?? 0) - (starts[index] ?? 0)).toBeGreaterThanOrEqual(delay)
    }
    expect((starts[3] ?? 0) - (starts[2] ?? 0)).toBeGreaterThan((starts[1] ?? 0) - (starts[0] ?? 0))
  })

  it('makes a single attempt when maxRetries is 0', async () => {
    const queue = await open()
    let calls = 0
    queue.consume(step, toConsumerOptions(), async () => {
      calls += 1
      throw new Error('no luck')
    })
    const [job] = await queue.enqueue([toNewJob({ maxRetries: 0 })])
    await queue.drain()
    expect(calls).toBe(1)
    const dead = await queue.get(job?.id ?? '')
    expect(dead).toMatchObject({ status: 'dead', attempts: 1, maxAttempts: 1, lastError: 'no luck' })
    expect(dead?.errors).toHaveLength(1)
  })

  it('dead-letters a NonRetriableError (or any error with its code) after one attempt', async () => {
    const queue = await open()
    queue.consume(step, toConsumerOptions(), async (job) => {
      if (nameOf(job.data) === 'class') throw new NonRetriableError('bad input')
      throw Object.assign(new Error('bad input elsewhere'), { code: 'NON_RETRIABLE' })
    })
    const jobs = await queue.enqueue([
      toNewJob({ maxRetries: 5, data: { name: 'class' } }),
      toNewJob({ maxRetries: 5, data: { name: 'code' } }),
    ])
    await queue.drain()
    for (const job of jobs) {
      const dead = await queue.get(job.id)
      expect(dead).toMatchObject({ status: 'dead', attempts: 1, maxAttempts: 6 })
      expect(dead?.errors).toHaveLength(1)
    }
  })

  it('fails an attempt that outlives timeoutMs, aborts its signal and frees its slot', async () => {
    const queue = await open()
    const events = recordEvents(queue)
    const abortReasons: unknown[] = []
    queue.consume(step, toConsumerOptions({ timeoutMs: 50 }), (job, abort) => {
      if (nameOf(job.data) === 'quick') return Promise.resolve()
      const { signal } = abort
      signal.addEventListener('abort', () => abortReasons.push(signal.reason))
      return new Promise<void>(() => {})
    })
    const [hung, quick] = await queue.enqueue([
      toNewJob({ maxRetries: 1, data: { name: 'hung' } }),
      toNewJob({ data: { name: 'quick' } }),
    ])
    await queue.drain()

    const dead = await queue.get(hung?.id ?? '')
    expect(dead).toMatchObject({ status: 'dead', attempts: 2 })
    expect(dead?.errors.map((error) => error.attempt)).toEqual([1, 2])
    expect(dead?.lastError).toMatch(/did not finish within 0\.05 s/)
    expect((dead?.errors[1]?.at ?? 0) - (dead?.startedAt ?? 0)).toBeGreaterThanOrEqual(50)
    expect(abortReasons).toHaveLength(2)
    expect(abortReasons[0]).toBeInstanceOf(HandlerTimeoutError)
    const failures = events.flatMap((event) => (event.type === 'failed' ? [event] : []))
    expect(failures.map((event) => [event.error instanceof HandlerTimeoutError, event.willRetry])).toEqual([
      [true, true],
      [true, false],
    ])
    expect((await queue.get(quick?.id ?? ''))?.status).toBe('completed')
  })

  it('never runs more attempts of a step at once than its concurrency', async () => {
    const queue = await open()
    const started = createCounter()
    const releases: Array<() => void> = []
    let inFlight = 0
    let maxInFlight = 0
    queue.consume(step, toConsumerOptions({ concurrency: 3 }), async () => {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      const gate = createDeferred()
      releases.push(gate.resolve)
      started.add()
      await gate.promise
      inFlight -= 1
    })
    await queue.enqueue(Array.from({ length: 10 }, (_, index) => toNewJob({ data: { index } })))
    await started.reached(3)
    expect(inFlight).toBe(3)
    for (let index = 0; index < 10; index += 1) {
      releases[index]?.()
      if (index + 4 <= 10) await started.reached(index + 4)
      expect(inFlight).toBeLessThanOrEqual(3)
    }
    await queue.drain()
    expect(started.count).toBe(10)
    expect(maxInFlight).toBe(3)
  })

  it('runs a fifo group one job at a time in creation order across retries, other groups meanwhile', async () => {
    const queue = await open()
    const log: string[] = []
    queue.consume(step, toConsumerOptions({ concurrency: 5, fifo: true }), async (job) => {
      const name = nameOf(job.data)
      log.push(`start ${name}`)
      if (name === 'a1' && job.attempts === 1) {
        log.push(`fail ${name}`)
        throw new Error('a1 fails once')
      }
      log.push(`end ${name}`)
    })
    await queue.enqueue([
      toNewJob({ messageGroupId: 'A', maxRetries: 2, data: { name: 'a1' } }),
      toNewJob({ messageGroupId: 'A', priority: 10, data: { name: 'a2' } }),
      toNewJob({ messageGroupId: 'B', data: { name: 'b1' } }),
    ])
    await queue.drain()

    expect(log.filter((entry) => / a\d$/.test(entry))).toEqual(['start a1', 'fail a1', 'start a1', 'end a1', 'start a2', 'end a2'])
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'))
  })

  it('does not start a delayed job before createdAt + delayMs, and drain waits for it', async () => {
    const queue = await open()
    const order: string[] = []
    queue.consume(step, toConsumerOptions({ concurrency: 2 }), async (job) => {
      order.push(nameOf(job.data))
    })
    const [delayed] = await queue.enqueue([
      toNewJob({ delayMs: 80, data: { name: 'delayed' } }),
      toNewJob({ data: { name: 'prompt' } }),
    ])
    expect(delayed?.runAt).toBe((delayed?.createdAt ?? 0) + 80)
    await queue.drain()
    expect(order).toEqual(['prompt', 'delayed'])
    const done = await queue.get(delayed?.id ?? '')
    expect(done?.status).toBe('completed')
    expect(done?.startedAt).toBeGreaterThanOrEqual((delayed?.createdAt ?? Infinity) + 80)
  })

  it('runs higher priority first, then creation order', async () => {
    const queue = await open()
    const order: string[] = []
    const blocking = createDeferred()
    const blocked = createDeferred()
    queue.consume(step, toConsumerOptions({ concurrency: 1 }), async (job) => {
      const name = nameOf(job.data)
      order.push(name)
      if (name !== 'blocker') return
      blocked.resolve()
      await blocking.promise
    })
    await queue.enqueue([toNewJob({ data: { name: 'blocker' } })])
    await blocked.promise
    await queue.enqueue([
      toNewJob({ priority: 1, data: { name: 'low-1' } }),
      toNewJob({ priority: 5, data: { name: 'high' } }),
      toNewJob({ priority: 1, data: { name: 'low-2' } }),
      toNewJob({ priority: -1, data: { name: 'lowest' } }),
    ])
    blocking.resolve()
    await queue.drain()
    expect(order).toEqual(['blocker', 'high', 'low-1', 'low-2', 'lowest'])
  })
}
