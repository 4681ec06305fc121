import { describe, expect, it } from 'vitest'
import { createMemoryQueue } from './memory-queue.ts'
import { runQueueContract } from '../../queue/queue.contract.ts'
import { toConsumerOptions, toNewJob } from '../../queue/queue-contract-helpers.ts'

runQueueContract('memory queue', () => createMemoryQueue())

describe('memory queue only', () => {
  it('keeps at most keepCompleted completed jobs, evicting the oldest, and never evicts dead jobs', async () => {
    const queue = createMemoryQueue({ keepCompleted: 3 })
    queue.consume('s', toConsumerOptions(), async (job) => {
      if ((job.data as { fail?: boolean }).fail) throw new Error('dead on purpose')
    })
    const dead = await queue.enqueue([toNewJob({ step: 's', data: { fail: true } })])
    const completed = await queue.enqueue(Array.from({ length: 5 }, (_, index) => toNewJob({ step: 's', data: { index } })))
    await queue.drain()
    const { jobs, total } = await queue.list({ status: 'completed' })
    expect(total).toBe(3)
    expect(jobs.map((job) => job.id)).toEqual(completed.slice(2).reverse().map((job) => job.id))
    expect(await queue.get(completed[0]?.id ?? '')).toBeNull()
    expect((await queue.get(dead[0]?.id ?? ''))?.status).toBe('dead')
    await queue.close()
  })

  it('stamps jobs with the injected clock and forgets idempotency keys after the window', async () => {
    let time = 1_000_000
    const queue = createMemoryQueue({ now: () => time, idempotencyWindowMs: 1_000 })
    const [first] = await queue.enqueue([toNewJob({ idempotencyKey: 'k', delayMs: 5 })])
    expect(first).toMatchObject({ createdAt: 1_000_000, runAt: 1_000_005 })
    time += 1_000
    const [within] = await queue.enqueue([toNewJob({ idempotencyKey: 'k' })])
    expect(within?.id).toBe(first?.id)
    time += 1
    const [after] = await queue.enqueue([toNewJob({ idempotencyKey: 'k' })])
    expect(after?.id).not.toBe(first?.id)
    expect(after?.createdAt).toBe(1_001_001)
    await queue.close()
  })

  it('schedules a retry at the backoff drawn with the injected random source', async () => {
    const queue = createMemoryQueue({ random: () => 0.5 })
    queue.consume('s', toConsumerOptions({ backoff: { baseMs: 40_000, maxMs: 60_000 } }), async () => {
      throw new Error('fails')
    })
    const failed = new Promise<number>((resolve) => {
      queue.onEvent((event) => {
        if (event.type === 'failed') resolve(event.job.runAt - (event.job.errors[0]?.at ?? 0))
      })
    })
    await queue.enqueue([toNewJob({ step: 's', maxRetries: 2 })])
    expect(await failed).toBe(30_000)
    await queue.close()
  })

  it('reports a throwing listener to onError and still completes the job', async () => {
    const errors: unknown[] = []
    const queue = createMemoryQueue({ onError: (error) => errors.push(error) })
    queue.onEvent(() => {
      throw new Error('listener broke')
    })
    queue.consume('s', toConsumerOptions(), async () => {})
    const [job] = await queue.enqueue([toNewJob({ step: 's' })])
    await queue.drain()
    expect((await queue.get(job?.id ?? ''))?.status).toBe('completed')
    expect(errors.map((error) => (error as Error).message)).toEqual(['listener broke', 'listener broke'])
    await queue.close()
  })

  it('returns a job cut off by close to pending without counting the attempt, and aborts its signal', async () => {
    const queue = createMemoryQueue()
    let signal: AbortSignal | undefined
    const started = new Promise<void>((resolve) => {
      queue.consume('s', toConsumerOptions({ timeoutMs: 60_000 }), (_job, abort) => {
        signal = abort.signal
        resolve()
        return new Promise<void>(() => {})
      })
    })
    const [job] = await queue.enqueue([toNewJob({ step: 's', maxRetries: 1 })])
    await started
    await queue.close(20)
    expect(signal?.aborted).toBe(true)
    expect(await queue.get(job?.id ?? '')).toMatchObject({ status: 'pending', attempts: 0 })
    await expect(queue.enqueue([toNewJob()])).rejects.toMatchObject({ code: 'QUEUE_CLOSED' })
  })
})
