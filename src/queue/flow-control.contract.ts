/**
 * The meaning of flow control (rate limits, concurrency per key, debounce, throttle, batches, pause and resume), as tests every backend runs from its
 * own test file. Windows are short and real, since Redis keeps time on its server; the tests wait
 * on drain(), events and handler promises, and read the start times the handlers saw.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { runBatchCases } from './batch.contract.ts'
import type { ConsumerOptions, Job, Queue } from './queue.ts'
import { createCounter, createDeferred, eventually, nameOf, nextEvent, nextTurn, toConsumerOptions, toNewJob } from './queue-contract-helpers.ts'

/** How a backend opens queues for the suite: the same `storage` opens the same jobs and windows again. */
export interface FlowContractBackend {
  open(storage: string): Queue | Promise<Queue>
  /** Whether windows and pauses outlive the queue (SQLite, Redis). */
  durable: boolean
}

/** How far a start measured in a handler may sit from the clock that admitted it (an event-loop turn, a round trip). */
const slackMs = 50

/** The step the suite's jobs go to. */
const step = 'limited-step'

/** Start times, in the order the handlers ran, by the name in each job's data. */
interface Starts {
  times: number[]
  names: string[]
  byName(prefix: string): number[]
}

const createStarts = (): Starts => {
  const times: number[] = []
  const names: string[] = []
  return {
    times,
    names,
    byName: (prefix) => times.filter((_, index) => names[index]?.startsWith(prefix)),
  }
}

/** The shortest time between a start and the `limit`-th start after it: at least the period when the limit holds. */
function shortestSpan(times: readonly number[], limit: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let shortest = Infinity
  for (let index = 0; index + limit < sorted.length; index += 1) {
    shortest = Math.min(shortest, (sorted[index + limit] as number) - (sorted[index] as number))
  }
  return shortest
}

const limited = (rateLimit: ConsumerOptions['rateLimit'], overrides: Partial<ConsumerOptions> = {}): ConsumerOptions =>
  toConsumerOptions({ concurrency: 10, rateLimit, ...overrides })

const jobsNamed = (prefix: string, count: number): Array<ReturnType<typeof toNewJob>> =>
  Array.from({ length: count }, (_, index) => toNewJob({ step, data: { name: `${prefix}${index}` } }))

/** Declares the flow-control suite `name` against queues opened by `backend`. */
export function runFlowControlContract(name: string, backend: FlowContractBackend): void {
  describe(name, () => {
    const opened: Queue[] = []
    let storages = 0
    const open = async (storage = `flow-${(storages += 1)}`): Promise<Queue> => {
      const queue = await backend.open(storage)
      opened.push(queue)
      return queue
    }
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((queue) => queue.close(100)))
    })

    it('starts at most `limit` attempts in any period and runs every job, none failed or dropped', async () => {
      const queue = await open()
      const starts = createStarts()
      queue.consume(step, limited({ limit: 3, periodMs: 300, keyOf: null }), async (job) => {
        starts.times.push(Date.now())
        starts.names.push(nameOf(job.data))
      })
      await queue.enqueue(jobsNamed('job-', 9))
      await queue.drain()
      expect(starts.times).toHaveLength(9)
      expect(shortestSpan(starts.times, 3)).toBeGreaterThanOrEqual(300 - slackMs)
      const { jobs } = await queue.list({ step })
      expect(jobs.map((job) => [job.status, job.attempts])).toEqual(Array.from({ length: 9 }, () => ['completed', 1]))
    })

    it('counts retries against the limit', async () => {
      const queue = await open()
      const starts: number[] = []
      let failedOnce = false
      queue.consume(step, limited({ limit: 2, periodMs: 300, keyOf: null }, { backoff: { baseMs: 0, maxMs: 0 } }), async () => {
        starts.push(Date.now())
        if (!failedOnce) {
          failedOnce = true
          throw new Error('first attempt fails')
        }
      })
      await queue.enqueue([toNewJob({ step, maxRetries: 1 }), toNewJob({ step })])
      await queue.drain()
      expect(starts).toHaveLength(3)
      expect(shortestSpan(starts, 2)).toBeGreaterThanOrEqual(300 - slackMs)
    })

    it('keeps waiting jobs pending with their attempts, and says they are rate-limited until when', async () => {
      const queue = await open()
      const before = Date.now()
      const first = nextEvent(queue, (event) => event.type === 'completed')
      queue.consume(step, limited({ limit: 1, periodMs: 60_000, keyOf: null }), async () => {})
      await queue.enqueue(jobsNamed('job-', 3))
      await first
      const after = Date.now()
      const waiting = await eventually(async () => {
        const { jobs } = await queue.list({ step, status: 'pending' })
        return jobs.length === 2 && jobs.every((job) => job.wait) && jobs
      })
      for (const job of waiting) {
        expect(job.attempts).toBe(0)
        expect(job.wait?.reason).toBe('rate-limited')
        expect(job.wait?.until).toBeGreaterThanOrEqual(before + 60_000 - slackMs)
      }
      // The next of them may start once the first start leaves the window (a backend may plan the other a period later).
      expect(Math.min(...waiting.map((job) => job.wait?.until ?? Infinity))).toBeLessThanOrEqual(after + 60_000 + slackMs)
      expect((await queue.get(waiting[0]?.id ?? ''))?.wait?.reason).toBe('rate-limited')
    })

    it('keeps fifo order within a group while jobs wait for the limit', async () => {
      const queue = await open()
      const ran: string[] = []
      queue.consume(step, limited({ limit: 2, periodMs: 150, keyOf: null }, { fifo: true }), async (job) => {
        ran.push(nameOf(job.data))
      })
      const names = ['a', 'b', 'c', 'd', 'e', 'f']
      await queue.enqueue(names.map((item) => toNewJob({ step, messageGroupId: 'g', data: { name: item } })))
      await queue.drain()
      expect(ran).toEqual(names)
    })

    // Timing under a loaded machine can delay a start by a whole period: a retry tells that from a real wait.
    it('gives each key its own limit, so one busy key does not hold another back', { retry: 2 }, async () => {
      const queue = await open()
      const starts = createStarts()
      const keyOf = (data: unknown): string => String((data as { tenant: string }).tenant)
      queue.consume(step, limited({ limit: 1, periodMs: 200, keyOf }), async (job) => {
        starts.times.push(Date.now())
        starts.names.push(nameOf(job.data))
      })
      await queue.enqueue([
        ...['a0', 'a1', 'a2'].map((item) => toNewJob({ step, data: { name: item, tenant: 'a' } })),
        ...['b0', 'b1', 'b2'].map((item) => toNewJob({ step, data: { name: item, tenant: 'b' } })),
      ])
      await queue.drain()
      expect(starts.times).toHaveLength(6)
      expect(shortestSpan(starts.byName('a'), 1)).toBeGreaterThanOrEqual(200 - slackMs)
      expect(shortestSpan(starts.byName('b'), 1)).toBeGreaterThanOrEqual(200 - slackMs)
      // b0 did not wait behind a's window: it started before a's second job could.
      expect(starts.byName('b0')[0]).toBeLessThan(starts.byName('a1')[0] ?? 0)
      const { jobs } = await queue.list({ step })
      expect(jobs.every((job) => job.status === 'completed' && job.attempts === 1)).toBe(true)
    })

    it('runs at most concurrencyPerKey attempts of one key at once, and other keys beside them', async () => {
      const queue = await open()
      const running = new Map<string, number>()
      const most = new Map<string, number>()
      const release = createDeferred()
      const bothRunning = createCounter()
      const keyOf = (data: unknown): string => String((data as { tenant: string }).tenant)
      queue.consume(step, toConsumerOptions({ concurrency: 10, keyConcurrency: { limit: 2, keyOf } }), async (job) => {
        const key = keyOf(job.data)
        running.set(key, (running.get(key) ?? 0) + 1)
        most.set(key, Math.max(most.get(key) ?? 0, running.get(key) ?? 0))
        bothRunning.add()
        // The first attempts of tenant a hold their slots until b has run; a's other jobs must wait for them.
        if (key === 'a') await release.promise
        running.set(key, (running.get(key) ?? 0) - 1)
      })
      await queue.enqueue([
        ...['a0', 'a1', 'a2', 'a3', 'a4'].map((item) => toNewJob({ step, data: { name: item, tenant: 'a' } })),
        ...['b0', 'b1'].map((item) => toNewJob({ step, data: { name: item, tenant: 'b' } })),
      ])
      await bothRunning.reached(4)
      const waiting = await eventually(async () => {
        const { jobs } = await queue.list({ step, status: 'pending' })
        return jobs.length === 3 && jobs.every((job) => job.wait?.reason === 'concurrency-limited') && jobs
      })
      expect(waiting.map((job) => nameOf(job.data)).sort()).toEqual(['a2', 'a3', 'a4'])
      release.resolve()
      await queue.drain()
      expect(most.get('a')).toBe(2)
      expect(most.get('b')).toBeLessThanOrEqual(2)
      const { jobs } = await queue.list({ step })
      expect(jobs.map((job) => [job.status, job.attempts])).toEqual(Array.from({ length: 7 }, () => ['completed', 1]))
    })

    it('collapses emits of one key into one run with the last data; the replaced jobs say so', async () => {
      const queue = await open()
      const ran: string[] = []
      const keyOf = (data: unknown): string => String((data as { tenant: string }).tenant)
      queue.consume(step, toConsumerOptions({ debounce: { periodMs: 1_000, maxWaitMs: null, keyOf } }), async (job) => {
        ran.push(nameOf(job.data))
      })
      const emit = async (name: string, tenant: string): Promise<Job> => {
        const [job] = await queue.enqueue([toNewJob({ step, data: { name, tenant } })])
        return job as Job
      }
      const first = await emit('a1', 'a')
      const second = await emit('a2', 'a')
      const last = await emit('a3', 'a')
      await emit('b1', 'b')
      const waiting = await queue.get(last.id)
      expect(waiting?.wait?.reason).toBe('debounced')
      expect(waiting?.wait?.until).toBe(waiting?.runAt)
      await queue.drain()
      expect(ran.sort()).toEqual(['a3', 'b1'])
      expect(await queue.get(first.id)).toMatchObject({
        status: 'cancelled',
        lastError: `Debounced: job ${second.id} took its place within 1000 ms and runs with the newer data.`,
      })
      expect((await queue.get(second.id))?.status).toBe('cancelled')
      expect(await queue.get(last.id)).toMatchObject({ status: 'completed', attempts: 1 })
    })

    it('runs a debounced job after maxWaitMs at the latest, however often its key is emitted', async () => {
      const queue = await open()
      const ran: string[] = []
      queue.consume(step, toConsumerOptions({ debounce: { periodMs: 60_000, maxWaitMs: 300, keyOf: () => '' } }), async (job) => {
        ran.push(nameOf(job.data))
      })
      const [first] = await queue.enqueue([toNewJob({ step, data: { name: 'first' } })])
      const [next] = await queue.enqueue([toNewJob({ step, data: { name: 'next' } })])
      expect(next?.runAt).toBeLessThanOrEqual((first?.createdAt ?? 0) + 300 + slackMs)
      // drain() would wait a minute here if maxWaitMs did not bound the wait.
      await queue.drain()
      expect(ran).toEqual(['next'])
    })

    it('throttles: emits over the limit of their key end skipped with the reason and never run', async () => {
      const queue = await open()
      const ran: string[] = []
      const keyOf = (data: unknown): string => String((data as { tenant: string }).tenant)
      queue.consume(step, toConsumerOptions({ throttle: { limit: 1, periodMs: 60_000, keyOf } }), async (job) => {
        ran.push(nameOf(job.data))
      })
      const [a1] = await queue.enqueue([toNewJob({ step, data: { name: 'a1', tenant: 'a' } })])
      const [a2] = await queue.enqueue([toNewJob({ step, data: { name: 'a2', tenant: 'a' } })])
      await queue.enqueue([toNewJob({ step, data: { name: 'b1', tenant: 'b' } })])
      expect(a1?.status).not.toBe('skipped')
      expect(a2).toMatchObject({
        status: 'skipped',
        lastError: 'Throttled: 1 job(s) of this key were accepted in the last 60000 ms, so this one was skipped.',
      })
      await queue.drain()
      expect(ran.sort()).toEqual(['a1', 'b1'])
      const skipped = await queue.list({ step, status: 'skipped' })
      expect(skipped.jobs.map((job) => [job.id, job.attempts])).toEqual([[a2?.id, 0]])
      expect((await queue.get(a2?.id ?? ''))?.status).toBe('skipped')
      expect((await queue.stats()).byStatus.skipped).toBe(1)
    })

    it.skipIf(!backend.durable)('keeps the window across a restart', async () => {
      const storage = `flow-restart-${(storages += 1)}`
      const first = await open(storage)
      const options = limited({ limit: 2, periodMs: 60_000, keyOf: null })
      const before = Date.now()
      first.consume(step, options, async () => {})
      await first.enqueue(jobsNamed('before-', 2))
      await first.drain()
      await first.close()
      const second = await open(storage)
      let started = 0
      second.onEvent(() => {
        started += 1
      }, ['started'])
      second.consume(step, options, async () => {})
      const [late] = await second.enqueue(jobsNamed('after-', 1))
      const waiting = await eventually(async () => {
        const job = await second.get(late?.id ?? '')
        return job?.status === 'pending' && job.wait && job
      })
      expect(waiting?.wait?.reason).toBe('rate-limited')
      expect(waiting?.wait?.until).toBeGreaterThanOrEqual(before + 60_000 - slackMs)
      expect(started).toBe(0)
    })

    it('holds a paused step’s jobs, says they are paused, and runs them all after resume', async () => {
      const queue = await open()
      const other = createDeferred<Job>()
      const ran = createCounter()
      await queue.pause(step)
      expect(await queue.pausedSteps()).toEqual([step])
      queue.consume(step, toConsumerOptions({ concurrency: 5 }), async () => ran.add())
      queue.consume('free-step', toConsumerOptions(), async (job) => other.resolve(job))
      await queue.enqueue([...jobsNamed('held-', 3), toNewJob({ step: 'free-step' })])
      await other.promise
      await nextTurn()
      expect(ran.count).toBe(0)
      const held = (await queue.list({ step })).jobs
      expect(held.map((job) => [job.status, job.wait])).toEqual(Array.from({ length: 3 }, () => ['pending', { reason: 'paused', until: null }]))
      await queue.resume(step)
      expect(await queue.pausedSteps()).toEqual([])
      await queue.drain()
      expect(ran.count).toBe(3)
    })

    runBatchCases(open, slackMs)

    it.skipIf(!backend.durable)('stays paused across a restart', async () => {
      const storage = `flow-paused-${(storages += 1)}`
      const first = await open(storage)
      await first.pause(step)
      await first.close()
      const second = await open(storage)
      expect(await second.pausedSteps()).toEqual([step])
      await second.resume(step)
      expect(await second.pausedSteps()).toEqual([])
    })
  })
}
