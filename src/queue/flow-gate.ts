/**
 * Flow control between a step's claims in the dispatcher: a rate limit shared by the step is checked
 * before a job is claimed, so jobs over it stay where they are; a keyed limit is checked after, and
 * a job over its key's limit goes back to waiting until its key's window allows it.
 */
import type { FlowStore } from './flow-store.ts'
import type { Job, JobWait, RateLimit } from './queue.ts'

export interface FlowGate {
  /** When the step's next job may start: `time` itself, or later while the step's shared limit is used up. */
  opensAt(time: number): number
  /** Records the start of a claimed job at `time` and returns 0; or, over its key's limit, records nothing and returns when it may try again. */
  admit(job: Job, time: number): number
  /** Why a waiting job has not started at `time` because of the limit, or null when the limit does not hold it. */
  waitOf(job: Job, time: number): JobWait | null
}

/** The gate of a step without flow control: always open, nothing recorded. */
export const OPEN_GATE: FlowGate = { opensAt: (time) => time, admit: () => 0, waitOf: () => null }

const rateLimited = (until: number): JobWait => ({ reason: 'rate-limited', until })

/** The gate of a step with a rate limit, whose windows live in `store`. */
export function createFlowGate(step: string, rateLimit: RateLimit | undefined, store: FlowStore): FlowGate {
  if (!rateLimit) return OPEN_GATE
  const { limit, periodMs, keyOf } = rateLimit
  if (keyOf === null) {
    const shared = store.log(step, '')
    const opensAt = (time: number): number => shared.nextStartAt(limit, periodMs, time)
    return {
      opensAt,
      admit(_job, time) {
        store.recordStart(step, '', time, limit, periodMs)
        return 0
      },
      waitOf(job, time) {
        const until = opensAt(time)
        return until > time && job.runAt <= until ? rateLimited(until) : null
      },
    }
  }
  // Jobs of one key that are over its limit are spread one slot apart, so each is tried again about
  // once instead of all of them at every slot that frees up. The log still decides who starts.
  const nextTry = new Map<string, number>()
  // Jobs sent back by this gate, so the jobs API can tell their wait from a delay the emit asked for.
  const sentBack = new Map<string, number>()
  const spacingMs = periodMs / limit
  return {
    opensAt: (time) => time,
    admit(job, time) {
      const key = keyOf(job.data)
      const allowedAt = store.log(step, key).nextStartAt(limit, periodMs, time)
      if (allowedAt <= time) {
        store.recordStart(step, key, time, limit, periodMs)
        sentBack.delete(job.id)
        if ((nextTry.get(key) ?? 0) <= time) nextTry.delete(key)
        return 0
      }
      const tryAt = Math.ceil(Math.max(allowedAt, nextTry.get(key) ?? 0))
      nextTry.set(key, tryAt + spacingMs)
      sentBack.set(job.id, tryAt)
      return tryAt
    },
    waitOf(job, time) {
      if (sentBack.get(job.id) === job.runAt && job.runAt > time) return rateLimited(job.runAt)
      const until = store.log(step, keyOf(job.data)).nextStartAt(limit, periodMs, time)
      return until > time && job.runAt <= until ? rateLimited(until) : null
    },
  }
}

/** A claimed job sent back to wait until `until` without the claim counting as an attempt. */
export function toRateLimitedJob(job: Job, until: number): Job {
  const attempts = Math.max(0, job.attempts - 1)
  const retrying = attempts > 0 && job.errors.length > 0
  return { ...job, status: retrying ? 'failed' : 'pending', attempts, startedAt: attempts > 0 ? job.startedAt : null, runAt: until }
}
