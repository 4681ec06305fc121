/**
 * Debounce on Redis, shared by every process: a hash per (step, key) names the newest job of the key
 * and when its run of emits began. A new emit is added delayed to its debounce time, then swapped in
 * by a script that returns the job it replaces, which is cancelled (saying which job took its place)
 * if it still waits; one that started meanwhile runs as it is.
 */
import type { Redis } from 'ioredis'
import type { Debounce, Job, JobWait, NewJob } from '../../queue/queue.ts'
import { createRedisScript } from './redis-script.ts'

// KEYS: the key's hash. ARGV: new job id, firstAt, ttl ms. Returns the id it replaces, or false.
const SWAP_SCRIPT = createRedisScript(`
local previous = redis.call('HGET', KEYS[1], 'id')
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'firstAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return previous
`)

/** What debounce needs of the queue. */
export interface DebounceHost {
  get(id: string): Promise<Job | null>
  /** Adds the job as any other, delayed as it says. */
  add(newJob: NewJob, time: number): Promise<Job>
  /** Cancels a job that still waits, recording why; a job that started is left alone. */
  cancel(id: string, reason: string): Promise<void>
}

export interface RedisDebounce {
  /** Adds a job of a debounced step, replacing the waiting job of its key. */
  add(newJob: NewJob, debounce: Debounce, time: number): Promise<Job>
  /** `debounced` until its run time, for the newest job of its key while it waits. */
  waitOf(job: Job, debounce: Debounce, time: number): Promise<JobWait | null>
}

const isWaiting = (job: Job | null, time: number): job is Job =>
  job !== null && job.status === 'pending' && job.attempts === 0 && job.runAt > time

/** Creates the debounce of one Redis queue under `prefix`. */
export function createRedisDebounce(client: Redis, prefix: string, host: DebounceHost): RedisDebounce {
  const hashKey = (step: string, key: string): string => `${prefix}:debounce:${step}:${key}`

  return {
    async add(newJob, debounce, time) {
      const hash = hashKey(newJob.step, debounce.keyOf(newJob.data))
      const [previousId, previousFirst] = await client.hmget(hash, 'id', 'firstAt')
      const continues = typeof previousId === 'string' && typeof previousFirst === 'string' && isWaiting(await host.get(previousId), time)
      const firstAt = continues ? Number(previousFirst) : time
      const due = debounce.maxWaitMs === null ? time + debounce.periodMs : Math.min(time + debounce.periodMs, firstAt + debounce.maxWaitMs)
      const job = await host.add({ ...newJob, delayMs: Math.max(newJob.delayMs ?? 0, due - time) }, time)
      const ttl = Math.max(debounce.periodMs, debounce.maxWaitMs ?? 0) * 2 + 60_000
      const replaced = await SWAP_SCRIPT.run(client, [hash], [job.id, firstAt, ttl])
      if (typeof replaced === 'string' && replaced !== job.id) {
        await host.cancel(replaced, `Debounced: job ${job.id} took its place within ${debounce.periodMs} ms and runs with the newer data.`)
      }
      return job
    },

    async waitOf(job, debounce, time) {
      if (!isWaiting(job, time)) return null
      const newest = await client.hget(hashKey(job.step, debounce.keyOf(job.data)), 'id')
      return newest === job.id ? { reason: 'debounced', until: job.runAt } : null
    },
  }
}
