/**
 * The baseline of the Redis fan-out, run as a process of its own: plain BullMQ, one Queue and one
 * Worker in this process. Each line on stdin is a job count n: the process adds n no-op jobs together
 * (one `Queue.add` per job, as motia-like adds one BullMQ job per emit), waits until the worker's
 * processor has run them all and prints `{"ms": duration}`. It prints `ready` once the worker is, and
 * exits when stdin closes. Being long-lived, it warms up as the motia-like server does.
 *
 * Usage: node --import tsx bench/raw-bullmq.ts '<RawBullmqSettings as JSON>'
 */
import { createInterface } from 'node:readline'
import { type JobsOptions, Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'

/** The connection and the jobs' options. */
export interface RawBullmqSettings {
  url: string
  prefix: string
  concurrency: number
  jobOptions: JobsOptions
}

const TIMEOUT_MS = 120_000
const QUEUE_NAME = 'noop'

async function main(): Promise<void> {
  const { url, prefix, concurrency, jobOptions } = JSON.parse(process.argv[2] ?? '') as RawBullmqSettings
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
  process.stdout.write('ready\n')

  let batch = 0
  for await (const line of createInterface({ input: process.stdin })) {
    const jobs = Number(line)
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
    const run = batch++
    await Promise.all(Array.from({ length: jobs }, (_, i) => queue.add('tick', { run, i }, jobOptions)))
    await done
    process.stdout.write(`${JSON.stringify({ ms: performance.now() - start })}\n`)
  }

  await worker.close()
  await queue.close()
  await Promise.all([queueConnection.quit(), workerConnection.quit()])
}

await main()
