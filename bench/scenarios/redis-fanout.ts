import { join } from 'node:path'
import { Redis } from 'ioredis'
import { removeKeys } from '../../src/backends/redis/redis-test-support.ts'
import { JOB_DEFAULTS } from '../../src/runtime/consumer-options.ts'
import { getJson, send } from '../http.ts'
import type { RawBullmqSettings } from '../raw-bullmq.ts'
import type { Row } from '../report.ts'
import { type LineProcess, repoRoot, type ServerProcess, spawnCli, startLineProcess } from '../server.ts'
import { median, since } from '../stats.ts'

export interface RedisFanoutSettings {
  events: number
  runs: number
}

/** The Redis to run on and the generated project (see noopFanoutProject). */
export interface RedisFanoutSetup {
  url: string
  dir: string
}

interface JobStats {
  byStatus: Record<string, number>
}

const rawScript = join(repoRoot, 'bench', 'raw-bullmq.ts')
const DAY_SECONDS = 24 * 60 * 60

/**
 * What motia-like gives every job of a step with default settings, in BullMQ's terms: 3 retries
 * (4 attempts) with backoff from 1 s, and the newest 10,000 completed jobs kept for 7 days.
 */
const rawJobOptions: RawBullmqSettings['jobOptions'] = {
  attempts: 4,
  backoff: { type: 'exponential', delay: JOB_DEFAULTS.backoffBaseMs },
  removeOnComplete: { count: 10_000, age: 7 * DAY_SECONDS },
  removeOnFail: false,
}

/** The lowest and highest of some rates, rounded: "6,900–8,000". */
function spread(rates: number[]): string {
  const format = (rate: number) => Math.round(rate).toLocaleString('en-US')
  return `${format(Math.min(...rates))}–${format(Math.max(...rates))}`
}

/** POST /noop-fanout {run, n}, then GET /count/:run?atLeast=n, which answers once the step has run n times. */
async function serverRate(server: ServerProcess, run: string, events: number): Promise<number> {
  const start = performance.now()
  const posted = await send(`${server.url}/noop-fanout`, 'POST', { run, n: events })
  if (posted.status !== 202) throw new Error(`POST /noop-fanout answered ${posted.status}: ${posted.body.slice(0, 200)}`)
  const { count } = await getJson<{ count: number }>(`${server.url}/count/${run}?atLeast=${events}`)
  if (count < events) throw new Error(`Redis fanout "${run}" counted ${count} of ${events} events within 120 s.`)
  return events / (since(start) / 1000)
}

/** Plain BullMQ in its own process: adds `events` jobs at once and answers when its worker has run them all. */
async function rawRate(raw: LineProcess, events: number): Promise<number> {
  const answer = await raw.request(String(events))
  const { ms } = JSON.parse(answer) as { ms?: number }
  if (ms === undefined) throw new Error(`The raw BullMQ process answered: ${answer.slice(0, 200)}`)
  return events / (ms / 1000)
}

/**
 * Events per second of no-op event steps on Redis (a `motia-like start` process with MOTIA_REDIS_URL),
 * against plain BullMQ doing the same jobs on the same Redis, runs alternating. Every key both sides
 * wrote is deleted afterwards.
 */
export async function runRedisFanout(setup: RedisFanoutSetup, settings: RedisFanoutSettings): Promise<Row[]> {
  const { url, dir } = setup
  const { events, runs } = settings
  const root = `motia-bench:${process.pid}-${Date.now()}:`
  const prefixes = { motia: `${root}motia-like`, raw: `${root}bullmq` }
  const server = await spawnCli('start', dir, [], { MOTIA_REDIS_URL: url, MOTIA_REDIS_PREFIX: prefixes.motia })
  const rawSettings: RawBullmqSettings = { url, prefix: prefixes.raw, concurrency: JOB_DEFAULTS.concurrency, jobOptions: rawJobOptions }
  let raw: LineProcess | undefined
  try {
    if (!server.output().includes('Redis at')) throw new Error(`The server did not start on Redis:\n${server.output().slice(-500)}`)
    raw = await startLineProcess(['--import', 'tsx', rawScript, JSON.stringify(rawSettings)])
    // One untimed run of the full size on each side: both processes reach their steady speed first.
    const warmup = events
    await serverRate(server, 'warm', warmup)
    await rawRate(raw, warmup)
    const motia: number[] = []
    const bullmq: number[] = []
    for (let run = 0; run < runs; run++) {
      motia.push(await serverRate(server, `run-${run}`, events))
      bullmq.push(await rawRate(raw, events))
    }
    const { byStatus } = await getJson<JobStats>(`${server.url}/__motia/jobs/stats`)
    const unsettled = (byStatus['failed'] ?? 0) + (byStatus['dead'] ?? 0)
    const concurrency = JOB_DEFAULTS.concurrency
    return [
      {
        scenario: 'fanout (Redis)',
        metric: `${events.toLocaleString('en-US')} no-op events, together`,
        unit: 'events/s',
        value: median(motia),
        baseline: median(bullmq),
        target: { on: 'ratio', kind: 'min', limit: 0.95 },
        note:
          `median of ${runs} runs, alternating, after a warm-up run of ${warmup} on each side (runs: motia-like ${spread(motia)}, ` +
          `raw BullMQ ${spread(bullmq)} events/s); motia-like: a start process on Redis, ` +
          `POST /noop-fanout emitting ${events} events at once (Promise.all, one BullMQ job added per emit) to an event step ` +
          `that only counts them (default settings: concurrency ${concurrency}, 3 retries), timed from the POST until the ` +
          `step has run ${events} times; baseline: plain BullMQ in a long-lived process of its own, one Queue and one Worker ` +
          `(concurrency ${concurrency}), ${events} Queue.add calls at once with attempts 4, exponential backoff and ` +
          `removeOnComplete {count 10,000, age 7 days} as motia-like keeps, no priority, timed until the processor has run ` +
          `${events} times; both make 2 Redis round trips per job (the add; moveToFinished, which also fetches the next job), ` +
          `motia-like with a BullMQ priority and its job record (trace id, creation time and order) in the job data` +
          (unsettled > 0 ? `; WARNING: ${unsettled} jobs failed or dead` : ''),
      },
    ]
  } finally {
    await Promise.allSettled([server.stop(), raw?.close()])
    const client = new Redis(url)
    try {
      await removeKeys(client, root)
    } finally {
      await client.quit()
    }
  }
}
