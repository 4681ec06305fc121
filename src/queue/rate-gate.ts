/** A rate limit as a part of a step's flow gate; its windows live in a FlowStore. */
import type { FlowGate } from './flow-gate.ts'
import type { FlowStore } from './flow-store.ts'
import type { JobWait, RateLimit } from './queue.ts'

const rateLimited = (until: number): JobWait => ({ reason: 'rate-limited', until })

/** The gate part of a rate limit: a step-wide one holds claims back, a keyed one sends jobs back. */
export function createRateGate(step: string, rateLimit: RateLimit, store: FlowStore): FlowGate {
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
      // A start stays counted: the log has no undo, and counting one start too many only waits longer.
      cancel() {},
      finished() {},
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
    cancel() {},
    finished() {},
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
