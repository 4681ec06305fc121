/**
 * The part of the Queue contract about mistakes in what handlers throw and what emits carry: every
 * backend records any thrown value as a failed attempt, refuses bad delays and priorities, and keeps
 * event data as JSON.
 */
import { expect, it } from 'vitest'
import { HandlerTimeoutError, ValidationError } from '../errors.ts'
import type { OpenQueue } from './queue.contract.ts'
import { contractStep as step, createDeferred, nameOf, toConsumerOptions, toNewJob } from './queue-contract-helpers.ts'

/** Values a handler may throw that JSON cannot hold, each with the text its message must contain. */
function unprintableThrows(): Record<string, { value: () => unknown; message: RegExp }> {
  return {
    cyclic: {
      value: () => {
        const response: Record<string, unknown> = { status: 502, message: 'upstream answered 502' }
        response['request'] = { response }
        return response
      },
      message: /upstream answered 502/,
    },
    bigint: { value: () => 10n ** 30n, message: /^1000000000000000000000000000000n$/ },
    'throwing toJSON': {
      value: () => ({
        toJSON() {
          throw new Error('toJSON broke')
        },
      }),
      message: /JSON cannot hold/,
    },
    'throwing message getter': {
      value: () => {
        const error = new Error('hidden')
        // The stack first: replacing it formats the old one, which reads the message.
        Object.defineProperty(error, 'stack', {
          get() {
            throw new Error('stack getter broke')
          },
        })
        Object.defineProperty(error, 'message', {
          get() {
            throw new Error('getter broke')
          },
        })
        return error
      },
      message: /cannot be shown as text/,
    },
  }
}

/** Declares the fault tests of the Queue contract. */
export function describeQueueFaults(open: OpenQueue): void {
  it('records an attempt that threw a value JSON cannot hold, retries it and dead-letters it; drain resolves', async () => {
    const queue = await open()
    const throws = unprintableThrows()
    queue.consume(step, toConsumerOptions(), async (job) => {
      throw throws[nameOf(job.data)]?.value()
    })
    const jobs = await queue.enqueue(Object.keys(throws).map((name) => toNewJob({ maxRetries: 1, data: { name } })))
    await queue.drain()
    for (const job of jobs) {
      const dead = await queue.get(job.id)
      expect(dead).toMatchObject({ status: 'dead', attempts: 2 })
      expect(dead?.errors).toHaveLength(2)
      expect(dead?.lastError).toMatch(throws[nameOf(job.data)]?.message ?? /never/)
    }
  })

  it('keeps running a fifo group after its head threw a cyclic value', async () => {
    const queue = await open()
    const ran: string[] = []
    queue.consume(step, toConsumerOptions({ fifo: true }), async (job) => {
      ran.push(nameOf(job.data))
      if (nameOf(job.data) === 'head') throw unprintableThrows()['cyclic']?.value()
    })
    await queue.enqueue([
      toNewJob({ messageGroupId: 'g', data: { name: 'head' } }),
      toNewJob({ messageGroupId: 'g', data: { name: 'next' } }),
    ])
    await queue.drain()
    expect(ran).toEqual(['head', 'next'])
  })

  it('refuses a delay or priority that is not a finite number, and a negative delay, with a ValidationError', async () => {
    const queue = await open()
    const ran: string[] = []
    queue.consume(step, toConsumerOptions(), async (job) => {
      ran.push(nameOf(job.data))
    })
    const bad = [
      toNewJob({ delayMs: Number.NaN }),
      toNewJob({ delayMs: Number.POSITIVE_INFINITY }),
      toNewJob({ delayMs: -1 }),
      toNewJob({ priority: Number.NaN }),
      toNewJob({ priority: Number.NEGATIVE_INFINITY }),
    ]
    for (const newJob of bad) {
      const refused = queue.enqueue([newJob])
      await expect(refused).rejects.toBeInstanceOf(ValidationError)
      await expect(refused).rejects.toThrow(/"contract\.topic" for step "contract-step" has (delay|priority) .*\. Set (delay|priority) to a finite number/)
    }
    // The step still runs the next job: nothing of the refused ones was stored.
    await queue.enqueue([toNewJob({ data: { name: 'after' } })])
    await queue.drain()
    expect(ran).toEqual(['after'])
    expect((await queue.list()).total).toBe(1)
  })

  it('hands handlers a JSON copy of the data, as it would come back from storage', async () => {
    const queue = await open()
    const seen: unknown[] = []
    queue.consume(step, toConsumerOptions(), async (job) => {
      seen.push(job.data)
    })
    const at = new Date('2024-05-01T10:00:00.000Z')
    await queue.enqueue([toNewJob({ data: { at, skip: undefined, list: [1, undefined], url: new URL('https://example.com/a') } })])
    await queue.drain()
    expect(seen).toEqual([{ at: '2024-05-01T10:00:00.000Z', list: [1, null], url: 'https://example.com/a' }])
  })

  it('refuses data JSON cannot hold (BigInt, a cycle, a throwing toJSON) with a ValidationError and stores nothing', async () => {
    const queue = await open()
    queue.consume(step, toConsumerOptions(), async () => {})
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    const refused = [
      { amount: 10n },
      cyclic,
      {
        toJSON() {
          throw new Error('toJSON broke')
        },
      },
    ]
    for (const data of refused) {
      const enqueued = queue.enqueue([toNewJob({ data })])
      await expect(enqueued).rejects.toBeInstanceOf(ValidationError)
      await expect(enqueued).rejects.toThrow(/"contract\.topic" for step "contract-step" has data that cannot be stored as JSON \(.+\)\. Emit plain JSON data/)
    }
    await queue.drain()
    expect((await queue.list()).total).toBe(0)
  })

  it("does not time out other steps' attempts while one handler blocks the event loop, but still times out a stuck one", async () => {
    const queue = await open()
    const waiting = createDeferred()
    const stuck = createDeferred()
    queue.consume('waits', toConsumerOptions({ timeoutMs: 400 }), async () => {
      waiting.resolve()
      // A call to another service: its answer lands after the loop is free again.
      await new Promise((resolve) => setTimeout(resolve, 20))
      await new Promise((resolve) => setImmediate(resolve))
    })
    queue.consume('stuck', toConsumerOptions({ timeoutMs: 400 }), () => {
      stuck.resolve()
      return new Promise<void>(() => {})
    })
    queue.consume('blocks', toConsumerOptions({ timeoutMs: 5_000 }), async () => {
      await Promise.all([waiting.promise, stuck.promise])
      const until = Date.now() + 1_200
      while (Date.now() < until) {
        // Computing: nothing else runs meanwhile.
      }
    })
    const [waits, hung, blocks] = await queue.enqueue([
      toNewJob({ step: 'waits' }),
      toNewJob({ step: 'stuck' }),
      toNewJob({ step: 'blocks' }),
    ])
    await queue.drain()
    expect(await queue.get(waits?.id ?? '')).toMatchObject({ status: 'completed', attempts: 1, errors: [] })
    expect(await queue.get(blocks?.id ?? '')).toMatchObject({ status: 'completed', attempts: 1 })
    const timedOut = await queue.get(hung?.id ?? '')
    expect(timedOut).toMatchObject({ status: 'dead', attempts: 1 })
    expect(timedOut?.lastError).toBe(new HandlerTimeoutError('stuck', 400).message)
  })
}
