/**
 * At most `limit` attempts of a step at once per key (per tenant), as a part of its flow gate. A job
 * whose key is full goes back to waiting until, at the latest, the earliest running attempt of its
 * key times out; when an attempt of the key ends first, the oldest job waiting for it is woken.
 */
import type { FlowGate, GateHooks } from './flow-gate.ts'
import type { KeyConcurrency } from './queue.ts'

/** Creates the gate part; `timeoutMs` bounds how long a running attempt can hold a slot. */
export function createKeyConcurrencyGate(options: KeyConcurrency, timeoutMs: number, hooks: GateHooks): FlowGate {
  const { limit, keyOf } = options
  // Per key: the ids of its running jobs, with the time each attempt times out.
  const running = new Map<string, Map<string, number>>()
  // Per key: the jobs sent back because it was full, oldest first.
  const waiting = new Map<string, string[]>()
  const sentBack = new Map<string, number>()

  const release = (key: string, jobId: string): boolean => {
    const jobs = running.get(key)
    if (!jobs?.delete(jobId)) return false
    if (jobs.size === 0) running.delete(key)
    return true
  }

  return {
    opensAt: (time) => time,
    admit(job, time) {
      const key = keyOf(job.data)
      let jobs = running.get(key)
      if (!jobs) {
        jobs = new Map()
        running.set(key, jobs)
      }
      if (jobs.size < limit) {
        jobs.set(job.id, time + timeoutMs)
        sentBack.delete(job.id)
        return 0
      }
      const until = Math.max(time + 1, Math.min(...jobs.values()))
      const list = waiting.get(key) ?? []
      if (!list.includes(job.id)) list.push(job.id)
      waiting.set(key, list)
      sentBack.set(job.id, until)
      return until
    },
    cancel(job) {
      release(keyOf(job.data), job.id)
    },
    finished(job) {
      const key = keyOf(job.data)
      if (!release(key, job.id)) return
      const list = waiting.get(key)
      if (!list) return
      // The first job still waiting gets the slot; ones cancelled meanwhile are skipped.
      for (let next = list.shift(); next !== undefined; next = list.shift()) {
        sentBack.delete(next)
        if (hooks.wake(next)) break
      }
      if (list.length === 0) waiting.delete(key)
    },
    waitOf(job, time) {
      const until = sentBack.get(job.id)
      return until !== undefined && until === job.runAt && until > time ? { reason: 'concurrency-limited', until } : null
    },
  }
}
