import { randomUUID } from 'node:crypto'
import { type Job as BullJob, type JobsOptions, Queue as BullQueue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { MotiaError } from '../../errors.ts'
import { toSafeSink } from '../../feed.ts'
import { checkBatchOptions } from '../../queue/batcher.ts'
import { createJobEvents } from '../../queue/job-events.ts'
import { checkNewJob, toJobDataJson } from '../../queue/new-job-checks.ts'
import { toJobStats } from '../../queue/job-stats.ts'
import { toCreatedJob } from '../../queue/job-transitions.ts'
import type { ConsumerOptions, Job, JobHandler, NewJob, Queue, RateLimit } from '../../queue/queue.ts'
import { toSkippedJob } from '../../queue/throttler.ts'
import { createAttempts } from './redis-attempts.ts'
import { createRedisBatches } from './redis-batches.ts'
import { toUnavailable, unreachableError, whileReachable } from './redis-client.ts'
import { createFifoGroups, PARK_MS } from './redis-fifo.ts'
import { createRedisDebounce } from './redis-debounce.ts'
import { createRedisFlow } from './redis-flow.ts'
import { type CancelledEntry, createJobReader, type Found } from './redis-job-reader.ts'
import { fieldsOf, type JobRecord, toAddedJob, toBullPriority, toJobId, toJobRecord, toQueueName, toRecordOf } from './redis-job-record.ts'

/** Connections, names and limits of a Redis queue. */
export interface RedisQueueOptions {
  /** For messages, and for the workers' own connections. */
  url: string
  /** The fail-fast command connection (see createCommandClient); the queue does not close it. */
  client: Redis
  /** The connection BullMQ workers duplicate for their blocking reads; the queue does not close it. */
  workerClient: Redis
  /** Keys are `<prefix>:bull:<step>:…` (BullMQ) and `<prefix>:…` (steps, fifo groups, cancelled jobs). */
  prefix: string
  /** How long a worker's lock on a running job lasts; a killed process's jobs run again on another after it. Default 30 s. */
  lockDurationMs?: number
  /** Completed jobs kept per step, newest first; default 10,000. */
  keepCompleted?: number
  /** Completed jobs older than this are removed; default 7 days. */
  keepCompletedMs?: number
  /** How long an idempotency key keeps a second enqueue from creating a job; default 24 h. */
  idempotencyWindowMs?: number
  /** Source of backoff jitter in [0, 1). */
  random?: () => number
  /** Receives errors that have no caller: worker errors, a failing sweep. */
  onError?: (error: unknown) => void
  /** How long close() without an argument waits for running attempts; default 10 s. */
  closeGraceMs?: number
}

interface Consumer {
  options: ConsumerOptions
  handler: JobHandler
  worker: Worker<JobRecord>
}

const dayMs = 24 * 60 * 60 * 1000
/** Every job retries at the time its failed attempt planned (see createAttempts().backoffDelay). */
const CUSTOM_BACKOFF = { type: 'custom' } as const
const toList = (job: Job): Job[] => [job]
const same = (job: Job): Job => job
// A command that timed out may still have run: only an idempotency key makes sending it again safe.
const notQueued = 'the event may not have been queued (an emit sent again with the same idempotencyKey is queued once)'

/**
 * Creates a queue on BullMQ: one BullMQ queue and worker per step, shared by every process on the
 * same Redis and prefix. Retries, backoff and the dead-letter queue are BullMQ's (attempts, a custom
 * backoff, the failed set); timeouts, FIFO groups, cancellation and the error history are built on
 * top (see redis-attempts.ts and redis-fifo.ts). Concurrency is per process.
 */
export function createRedisQueue(options: RedisQueueOptions): Queue {
  const { client, url, prefix } = options
  const bullPrefix = `${prefix}:bull`
  const stepsKey = `${prefix}:steps`
  const cancelledKey = `${prefix}:cancelled`
  const fifoStepsKey = `${prefix}:fifo-steps`
  const lockDurationMs = options.lockDurationMs ?? 30_000
  const keep = { count: options.keepCompleted ?? 10_000, age: Math.ceil((options.keepCompletedMs ?? 7 * dayMs) / 1000) }
  const idempotencyWindowMs = options.idempotencyWindowMs ?? dayMs
  const onError = toSafeSink(options.onError)
  const now = Date.now
  const queues = new Map<string, BullQueue<JobRecord>>()
  // A step's registration in Redis: pending, then `true` once done, so emits stop awaiting it.
  const registered = new Map<string, Promise<unknown> | true>()
  const consumers = new Map<string, Consumer>()
  const fifoKnown = new Map<string, boolean>()
  const events = createJobEvents(onError)
  const groups = createFifoGroups(client, prefix, now)
  let seqCounter = 0
  let closing: Promise<void> | null = null
  // Repairs fifo groups whose head finished in a process that died before unparking the next job.
  const sweeper = setInterval(() => {
    for (const [step, consumer] of consumers) {
      if (consumer.options.fifo) groups.sweep(step, queueOf(step)).catch(onError)
    }
  }, lockDurationMs)
  sweeper.unref()

  const queueOf = (step: string): BullQueue<JobRecord> => {
    let queue = queues.get(step)
    if (!queue) {
      queue = new BullQueue<JobRecord>(toQueueName(step), { connection: client, prefix: bullPrefix })
      queue.on('error', onError)
      queues.set(step, queue)
    }
    return queue
  }

  /** Records the step in Redis once, so every process's jobs API sees its queue. */
  const register = async (step: string): Promise<void> => {
    let done = registered.get(step)
    if (done === true) return
    if (!done) {
      done = client.sadd(stepsKey, step)
      registered.set(step, done)
      void done.then(
        () => registered.set(step, true),
        () => registered.delete(step),
      )
    }
    await done
  }

  /** Creation order of jobs made in the same millisecond by this process. */
  const nextSeq = (time: number): number => {
    seqCounter = (seqCounter + 1) % 1000
    return time * 1000 + seqCounter
  }

  const knownSteps = async (): Promise<string[]> => [...new Set([...(await client.smembers(stepsKey)), ...queues.keys()])].sort()
  const reader = createJobReader({ client, cancelledKey, queueOf, steps: knownSteps })

  /** Whether jobs of `step` run as fifo: from the local consumer, else from what another process's consumer recorded. */
  const isFifo = async (step: string): Promise<boolean> => {
    const local = consumers.get(step)?.options.fifo ?? fifoKnown.get(step)
    if (local !== undefined) return local
    const recorded = (await client.hget(fifoStepsKey, step)) === '1'
    fifoKnown.set(step, recorded)
    return recorded
  }

  /** What BullMQ is told of a job: its id (none: BullMQ's counter), attempts, when it may run, priority and our backoff. */
  const bullOptions = (id: string | undefined, record: JobRecord, maxAttempts: number, delay: number, idempotencyKey?: string): JobsOptions => {
    // BullMQ stores every option given with the job; its defaults (no delay, failed jobs kept) go unsaid,
    // and what to keep of completed jobs is the worker's (see startWorker), the same for every job.
    const jobOptions: JobsOptions = {
      attempts: maxAttempts,
      priority: toBullPriority(record.priority ?? 0),
      backoff: CUSTOM_BACKOFF,
    }
    if (delay > 0) jobOptions.delay = delay
    if (id !== undefined) jobOptions.jobId = id
    if (idempotencyKey) jobOptions.deduplication = { id: idempotencyKey, ttl: idempotencyWindowMs }
    return jobOptions
  }

  /** True for most jobs: the step is registered, no group to join, no key to deduplicate by, no throttle or debounce. */
  const isPlain = (newJob: NewJob): boolean => {
    if (registered.get(newJob.step) !== true || newJob.idempotencyKey) return false
    if (newJob.messageGroupId !== null && newJob.messageGroupId !== undefined) return false
    const options = consumers.get(newJob.step)?.options
    return !options?.throttle && !options?.debounce
  }

  /**
   * Adds a plain job (see isPlain) under the id BullMQ picks; `then` maps the added job, `fail`
   * (when given) an error. Every emit of a fan-out is pending here at once, each holding what it allocated until
   * Redis answers: one promise and its two callbacks wait on BullMQ, nothing else.
   */
  const addPlain = <T>(newJob: NewJob, time: number, then: (job: Job) => T, fail?: (error: unknown) => never): Promise<T> => {
    const { step, topic } = newJob
    const record = toJobRecord(newJob, time, nextSeq(time))
    const maxAttempts = newJob.maxRetries + 1
    const delay = record.runAt === undefined ? 0 : Math.max(0, record.runAt - now())
    return queueOf(step)
      .add(topic, record, bullOptions(undefined, record, maxAttempts, delay))
      .then((added) => then(toAddedJob(step, topic, toJobId(step, added.id), record, maxAttempts)), fail)
  }

  /** Adds a job emitted at `time`. */
  const addNew = (newJob: NewJob, time: number): Promise<Job> => {
    const { step, topic, idempotencyKey } = newJob
    if (registered.get(step) === true && (newJob.messageGroupId === null || newJob.messageGroupId === undefined) && !idempotencyKey) {
      return addPlain(newJob, time, same)
    }
    return add(step, topic, randomUUID(), toJobRecord(newJob, time, nextSeq(time)), newJob.maxRetries + 1, idempotencyKey)
  }

  /** Adds a job under `id` to BullMQ: runnable, or parked behind its group's head. */
  const add = async (
    step: string,
    topic: string,
    id: string,
    record: JobRecord,
    maxAttempts: number,
    idempotencyKey?: string,
  ): Promise<Job> => {
    if (registered.get(step) !== true) await register(step)
    const queue = queueOf(step)
    const group = record.messageGroupId
    const grouped = group !== undefined && (await isFifo(step))
    const head = grouped ? await groups.join(step, group, id, record.seq) : true
    // Records arrive unparked (toJobRecord, toRecordOf): copied only to park one.
    const stored: JobRecord = head ? record : { ...record, parked: true }
    const delay = head ? Math.max(0, fieldsOf(record).runAt - now()) : PARK_MS
    const added = await queue.add(topic, stored, bullOptions(id, stored, maxAttempts, delay, idempotencyKey))
    if (added.id !== id) {
      // Deduplicated: the job of the first emit with this key is the answer.
      if (grouped) await groups.leave(step, group, id, queue)
      const existing = await reader.get(toJobId(step, added.id))
      if (existing) return existing.job
    }
    if (grouped && !head) await groups.unparkIfHead(step, group, id, queue)
    return toAddedJob(step, topic, id, stored, maxAttempts)
  }

  const debounce = createRedisDebounce(client, prefix, {
    get: async (id) => (await reader.get(id))?.job ?? null,
    add: (newJob, time) => addNew(newJob, time),
    cancel: async (id, reason) => {
      await cancelJob(id, reason)
    },
  })
  /** Adds a new job: through the step's throttle and debounce when it has them. */
  const addEmitted = async (newJob: NewJob, time: number): Promise<Job> => {
    const options = consumers.get(newJob.step)?.options
    if (options?.throttle && (await flow.take(`throttle:${newJob.step}`, options.throttle, newJob.data)) > 0) {
      return addSkipped(newJob, time, options.throttle)
    }
    return options?.debounce ? debounce.add(newJob, options.debounce, time) : addNew(newJob, time)
  }

  /** Stores a job a throttle dropped beside the cancelled ones: it never enters BullMQ. */
  const addSkipped = async (newJob: NewJob, time: number, throttle: RateLimit): Promise<Job> => {
    await register(newJob.step)
    const job = toSkippedJob(toCreatedJob(newJob, time), time, throttle)
    const entry: CancelledEntry = { job, seq: nextSeq(time) }
    await client.hset(cancelledKey, job.id, JSON.stringify(entry))
    return job
  }
  const flow = createRedisFlow(client, prefix, queueOf, lockDurationMs)
  const withWaits = async (jobs: Job[]): Promise<Job[]> => {
    const waits = await flow.withWaits(jobs, (step) => consumers.get(step)?.options)
    const time = now()
    return Promise.all(
      waits.map(async (job) => {
        const debounced = consumers.get(job.step)?.options.debounce
        const wait = !job.wait && debounced ? await debounce.waitOf(job, debounced, time) : null
        return wait ? { ...job, wait } : job
      }),
    )
  }

  const attempts = createAttempts({ now, random: options.random ?? Math.random, events, onError })
  const batches = createRedisBatches(attempts, now, options.random ?? Math.random, onError)

  const finished = (step: string, bullJob: BullJob<JobRecord> | undefined): void => {
    const group = bullJob?.data.messageGroupId
    // Null: a record written before records left defaults out.
    if (!bullJob || group === undefined || group === null || !consumers.get(step)?.options.fifo) return
    groups.leave(step, group, toJobId(step, bullJob.id), queueOf(step)).catch(onError)
  }

  const startWorker = (step: string): Worker<JobRecord> => {
    const worker = new Worker<JobRecord>(
      toQueueName(step),
      (bullJob, token) => {
        const consumer = consumers.get(step)
        if (!consumer) throw new MotiaError('QUEUE_NO_CONSUMER', `Step "${step}" has no consumer in this process any more.`)
        const { options: consumerOptions, handler } = consumer
        if (consumerOptions.batch) return batches.join(step, bullJob, token, consumerOptions, handler)
        if (!consumerOptions.rateLimit && !consumerOptions.keyConcurrency) return attempts.run(step, bullJob, consumerOptions, handler)
        return flow.run(step, consumerOptions, bullJob, token, () => attempts.run(step, bullJob, consumerOptions, handler))
      },
      {
        connection: options.workerClient,
        prefix: bullPrefix,
        concurrency: batches.workerConcurrency(consumers.get(step)?.options ?? { concurrency: 1 }),
        lockDuration: lockDurationMs,
        stalledInterval: lockDurationMs,
        removeOnComplete: keep,
        settings: { backoffStrategy: attempts.backoffDelay },
      },
    )
    worker.on('error', onError)
    worker.on('completed', (bullJob) => {
      attempts.completed(step, bullJob)
      finished(step, bullJob)
    })
    worker.on('failed', (bullJob, error) => {
      if (bullJob && attempts.failed(step, bullJob, error)) finished(step, bullJob)
    })
    return worker
  }

  return {
    enqueue(newJobs) {
      if (closing) return Promise.reject(new MotiaError('QUEUE_CLOSED', 'The queue is closed. Enqueue jobs before calling close().'))
      try {
        for (const newJob of newJobs) checkNewJob(newJob)
      } catch (error) {
        return Promise.reject(error)
      }
      // Each add leaves for Redis as it is made, so Redis stores the first jobs of a fan-out while the
      // rest are still being made. Holding a turn's adds back to write them together was slower.
      const time = now()
      const only = newJobs.length === 1 ? newJobs[0] : undefined
      if (only && isPlain(only)) {
        // What whileReachable and the catch below do, in the one callback the add needs.
        if (client.status !== 'ready') return Promise.reject(unreachableError(url, client.status, notQueued))
        const fail = (error: unknown): never => {
          toJobDataJson(only)
          throw toUnavailable(url, notQueued, error)
        }
        try {
          return addPlain(only, time, toList, fail)
        } catch (error) {
          return Promise.reject(error).catch(fail)
        }
      }
      return whileReachable(
        url,
        notQueued,
        // An emit with one subscriber, the common case, needs no Promise.all.
        () => (newJobs.length === 1 ? addEmitted(newJobs[0] as NewJob, time).then(toList) : Promise.all(newJobs.map((newJob) => addEmitted(newJob, time)))),
        client,
      ).catch((error: unknown) => {
        // BullMQ stores data as JSON: data it could not convert is refused as every backend refuses it.
        for (const newJob of newJobs) toJobDataJson(newJob)
        throw error
      })
    },

    consume(step, consumerOptions, handler) {
      checkBatchOptions(step, consumerOptions)
      const current = consumers.get(step)
      if (current) {
        current.options = { ...consumerOptions }
        current.handler = handler
        current.worker.concurrency = batches.workerConcurrency(consumerOptions)
        return
      }
      void register(step).catch(onError)
      fifoKnown.set(step, consumerOptions.fifo)
      void client.hset(fifoStepsKey, step, consumerOptions.fifo ? '1' : '0').catch(onError)
      const consumer = { options: { ...consumerOptions }, handler } as Consumer
      consumers.set(step, consumer)
      consumer.worker = startWorker(step)
    },

    stopConsuming(step) {
      const consumer = consumers.get(step)
      if (!consumer) return
      consumers.delete(step)
      consumer.worker.close().catch(onError)
    },

    async get(id) {
      const job = (await whileReachable(url, `job ${id} was not read`, () => reader.get(id), client))?.job
      return job ? ((await withWaits([job]))[0] ?? job) : null
    },

    async list(filter = {}) {
      const found = await whileReachable(url, 'the jobs were not listed', () => reader.list(filter), client)
      return { jobs: await withWaits(found.jobs), total: found.total }
    },

    // Registered, so every process (and the next start) lists the paused step.
    pause: (step) => whileReachable(url, `step "${step}" was not paused`, () => register(step).then(() => queueOf(step).pause()), client),

    resume: (step) => whileReachable(url, `step "${step}" was not resumed`, () => queueOf(step).resume(), client),

    async pausedSteps() {
      const steps = await knownSteps()
      const paused = await Promise.all(steps.map((step) => queueOf(step).isPaused()))
      return steps.filter((_, index) => paused[index])
    },

    async retry(id) {
      const found = await reader.get(id)
      if (!found) return null
      const { job } = found
      if (job.status !== 'dead' && job.status !== 'failed' && job.status !== 'cancelled') return job
      if (!(await removeFromBull(found))) return (await reader.get(id))?.job ?? null
      await client.hdel(cancelledKey, id)
      // A replayed job joins the back of its fifo group: the group's head may be running already.
      const time = now()
      return add(job.step, job.topic, id, toRecordOf(job, nextSeq(time), time), job.maxAttempts)
    },

    cancel: (id) => cancelJob(id),

    stats: async () => toJobStats(await whileReachable(url, 'the stats were not read', () => reader.statsInput(), client), now()),

    onEvent: (listener, types) => events.listen(listener, types),

    async drain() {
      for (;;) {
        if (closing) return
        if (attempts.running() === 0 && (await unsettled()) === 0) return
        await attempts.nextChange(25)
      }
    },

    close(graceMs = options.closeGraceMs ?? 10_000) {
      closing ??= (async () => {
        clearInterval(sweeper)
        const workers = [...consumers.values()].map((consumer) => consumer.worker)
        consumers.clear()
        const graceful = Promise.allSettled(workers.map((worker) => worker.close()))
        // Jobs waiting in batches that fill would hold their workers open until the batch timeout.
        await batches.release()
        let timer: NodeJS.Timeout | undefined
        const gaveUp = await Promise.race([
          graceful.then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), Math.max(0, graceMs))
          }),
        ])
        clearTimeout(timer)
        if (gaveUp) {
          // Their jobs stay locked until lockDurationMs passes, then another worker (or the next start) runs them again.
          attempts.abandonAll()
          await Promise.allSettled(workers.map((worker) => worker.close(true)))
        }
        attempts.wakeAll()
        await Promise.allSettled([...queues.values()].map((queue) => queue.close()))
      })()
      return closing
    },
  }

  /** Jobs of the steps this process consumes that are waiting, running or waiting for a retry, in Redis. */
  async function unsettled(): Promise<number> {
    let count = 0
    for (const step of consumers.keys()) {
      count += await queueOf(step).getJobCountByTypes('wait', 'prioritized', 'delayed', 'active')
    }
    return count
  }

  /** Cancels a pending or failed job (`reason` becomes its lastError); other jobs as they are. */
  async function cancelJob(id: string, reason?: string): Promise<Job | null> {
    const found = await reader.get(id)
    if (!found) return null
    const { job } = found
    if (job.status !== 'pending' && job.status !== 'failed') return job
    if (!(await removeFromBull(found))) return (await reader.get(id))?.job ?? null
    const cancelled: Job = { ...job, status: 'cancelled', finishedAt: now() }
    if (reason !== undefined) cancelled.lastError = reason
    const entry: CancelledEntry = { job: cancelled, seq: found.seq }
    await client.hset(cancelledKey, id, JSON.stringify(entry))
    if (job.messageGroupId !== null) await groups.leave(job.step, job.messageGroupId, id, queueOf(job.step))
    if (events.wants('cancelled')) events.report({ type: 'cancelled', job: cancelled })
    return cancelled
  }

  /** Takes a job out of BullMQ before it is cancelled or re-added; false when a worker took it meanwhile. */
  async function removeFromBull(found: Found): Promise<boolean> {
    if (!found.bullJob) return true
    try {
      await found.bullJob.remove()
      return true
    } catch {
      return false
    }
  }
}
