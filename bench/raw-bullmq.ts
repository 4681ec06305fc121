/**
 * The baseline of the Redis fan-out, run as a process of its own: plain BullMQ, one Queue and one
 * Worker in this process, each batch of no-op jobs added together (one `Queue.add` per job, as
 * motia-like adds one BullMQ job per emit) and timed until the worker's processor has run them all.
 *
 * Usage: node --import tsx bench/raw-bullmq.ts '<RawBullmqSettings as JSON>'
 * Prints one JSON line: `{ "ms": [one duration per batch] }`.
 */
import { type JobsOptions, Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'

/** What the scenario asks of one run. */
export interface RawBullmqSettings {
  url: string
  prefix: string
  concurrency: number
  /** Job counts of the batches, run one after the other. */
  batches: number[]
  jobOptions: JobsOptions
}

const TIMEOUT_MS = 120_000
const QUEUE_NAME = 'noop'

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '') as RawBullmqSettings
  const { url, prefix, concurrency, batches, jobOptions } = settings
  const queueConnection = new Redis(url)
  const workerConnection = new Redis(url, { maxRetriesPerRequest: null })
  const queue = new Queue(QUEUE_NAME, { connection: queueConnection, prefix })
  let ran = 0
  let target = Number.POSITIVE_INFINITY
  let finish = (): void => {}
  const worker = new Worker(
    QUEUE_NAME,
    async () => {
      ran++
      if (ran === target) finish()
    },
    { connection: workerConnection, prefix, concurrency },
  )
  await worker.waitUntilReady()

  const durations: number[] = []
  for (const [index, jobs] of batches.entries()) {
    ran = 0
    target = jobs
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Raw BullMQ ran ${ran} of ${jobs} jobs within ${TIMEOUT_MS} ms.`)), TIMEOUT_MS)
      finish = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    const start = performance.now()
    await Promise.all(Array.from({ length: jobs }, (_, i) => queue.add('tick', { run: index, i }, jobOptions)))
    await done
    durations.push(performance.now() - start)
  }

  await worker.close()
  await queue.close()
  await Promise.all([queueConnection.quit(), workerConnection.quit()])
  process.stdout.write(`${JSON.stringify({ ms: durations })}\n`)
}

await main()
