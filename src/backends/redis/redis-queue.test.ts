import { Queue as BullQueue } from 'bullmq'
import { afterAll, describe, expect, it } from 'vitest'
import { runQueueContract } from '../../queue/queue.contract.ts'
import { nameOf, toConsumerOptions, toNewJob } from '../../queue/queue-contract-helpers.ts'
import { toQueueName } from './redis-job-record.ts'
import { createRedisQueue } from './redis-queue.ts'
import { useRedisClients } from './redis-test-clients.ts'
import { redisUrl, uniquePrefix } from './redis-test-support.ts'

describe.skipIf(!redisUrl)('redis queue', () => {
  const url = redisUrl ?? ''
  const errors: unknown[] = []
  const redis = useRedisClients(url)
  afterAll(() => {
    // Nothing went wrong out of sight: worker and sweep errors reach onError.
    expect(errors.map(String)).toEqual([])
  })

  runQueueContract('contract', () => {
    const prefix = uniquePrefix('queue')
    redis.removeAfter(prefix)
    return createRedisQueue({ url, client: redis.client, workerClient: redis.workerClient, prefix, onError: (error) => errors.push(error) })
  })

  it('unparks the next job of a group whose head vanished without unparking it, within a lock period', async () => {
    const prefix = uniquePrefix('queue-fifo')
    redis.removeAfter(prefix)
    const queue = createRedisQueue({ url, client: redis.client, workerClient: redis.workerClient, prefix, lockDurationMs: 1_000 })
    const ran: string[] = []
    queue.consume('ordered', toConsumerOptions({ fifo: true }), async (job) => {
      ran.push(nameOf(job.data))
    })
    const [head, next] = await queue.enqueue([
      toNewJob({ step: 'ordered', messageGroupId: 'g', delayMs: 600_000, data: { name: 'head' } }),
      toNewJob({ step: 'ordered', messageGroupId: 'g', data: { name: 'next' } }),
    ])
    // As if the head's process had finished it and died before unparking the next job.
    const raw = new BullQueue(toQueueName('ordered'), { connection: redis.client, prefix: `${prefix}:bull` })
    await (await raw.getJob(head?.id ?? ''))?.remove()
    await raw.close()
    await queue.drain()
    expect(ran).toEqual(['next'])
    expect((await queue.get(next?.id ?? ''))?.status).toBe('completed')
    await queue.close()
  })

  it('keeps the newest keepCompleted completed jobs of the process that ran them, whoever added them, and every dead one', async () => {
    const prefix = uniquePrefix('queue-keep')
    redis.removeAfter(prefix)
    const open = (keepCompleted: number) => createRedisQueue({ url, client: redis.client, workerClient: redis.workerClient, prefix, keepCompleted })
    const producer = open(1_000)
    const worker = open(3)
    worker.consume('s', toConsumerOptions({ concurrency: 1 }), async (job) => {
      if (nameOf(job.data) === 'doomed') throw new Error('dead on purpose')
    })
    const [dead] = await producer.enqueue([toNewJob({ step: 's', data: { name: 'doomed' } })])
    const completed = await producer.enqueue(Array.from({ length: 5 }, (_, index) => toNewJob({ step: 's', data: { name: `job-${index}` } })))
    await worker.drain()
    const { jobs, total } = await worker.list({ step: 's', status: 'completed' })
    expect(total).toBe(3)
    expect(jobs.map((job) => nameOf(job.data)).sort()).toEqual(['job-2', 'job-3', 'job-4'])
    expect(await worker.get(completed[0]?.id ?? '')).toBeNull()
    expect((await worker.get(dead?.id ?? ''))?.status).toBe('dead')
    await Promise.all([producer.close(), worker.close()])
  })

  it('numbers the jobs of a registered step by BullMQ, unique across steps, and keeps each id through dead-lettering, cancel and replay', async () => {
    const prefix = uniquePrefix('queue-ids')
    redis.removeAfter(prefix)
    const queue = createRedisQueue({ url, client: redis.client, workerClient: redis.workerClient, prefix })
    let broken = true
    queue.consume('a.b', toConsumerOptions(), async (job) => {
      if (broken && nameOf(job.data) === 'doomed') throw new Error('still broken')
    })
    queue.consume('other', toConsumerOptions(), async () => {})
    // The first job of a step registers it, under a UUID.
    const [first] = await queue.enqueue([toNewJob({ step: 'a.b' }), toNewJob({ step: 'other' })])
    expect(first?.id).toMatch(/^[0-9a-f-]{36}$/)

    const [doomed, other, delayed] = await queue.enqueue([
      toNewJob({ step: 'a.b', data: { name: 'doomed' } }),
      toNewJob({ step: 'other' }),
      toNewJob({ step: 'a.b', delayMs: 60_000, data: { name: 'delayed' } }),
    ])
    expect(doomed?.id).toMatch(/^a\.b\.[0-9]+$/)
    expect(other?.id).toMatch(/^other\.[0-9]+$/)
    expect(await queue.cancel(delayed?.id ?? '')).toMatchObject({ id: delayed?.id, status: 'cancelled' })
    await queue.drain()
    expect(await queue.get(doomed?.id ?? '')).toMatchObject({ id: doomed?.id, step: 'a.b', status: 'dead', attempts: 1 })
    expect(await queue.get(other?.id ?? '')).toMatchObject({ id: other?.id, step: 'other', status: 'completed' })

    broken = false
    expect(await queue.retry(doomed?.id ?? '')).toMatchObject({ id: doomed?.id, status: 'pending', attempts: 0 })
    expect(await queue.retry(delayed?.id ?? '')).toMatchObject({ id: delayed?.id, status: 'pending' })
    await queue.drain()
    expect(await queue.get(doomed?.id ?? '')).toMatchObject({ id: doomed?.id, status: 'completed', errors: [{ message: 'still broken' }] })
    expect(await queue.get(delayed?.id ?? '')).toMatchObject({ id: delayed?.id, status: 'completed' })
    const listed = await queue.list({ step: 'a.b', status: 'completed' })
    expect(listed.jobs.map((job) => job.id).sort()).toEqual([doomed?.id, delayed?.id, first?.id].sort())

    expect(await queue.get('a.b.999999')).toBeNull()
    expect(await queue.get('no-such-step.1')).toBeNull()
    await queue.close()
  })
})
