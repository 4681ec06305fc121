/**
 * Flow control between a step's claims in the dispatcher, made of parts: a rate limit (rate-gate.ts)
 * and a limit of attempts at once per key (key-concurrency-gate.ts). A limit shared by the step is
 * checked before a job is claimed, so jobs over it stay where they are; a keyed one after, and a job
 * over its key's limit goes back to waiting until its key allows it.
 */
import type { FlowStore } from './flow-store.ts'
import { createKeyConcurrencyGate } from './key-concurrency-gate.ts'
import type { ConsumerOptions, Job, JobWait } from './queue.ts'
import { createRateGate } from './rate-gate.ts'

export interface FlowGate {
  /** When the step's next job may start: `time` itself, or later while the step's shared limit is used up. */
  opensAt(time: number): number
  /** Records the start of a claimed job at `time` and returns 0; or, over a keyed limit, records nothing and returns when it may try again. */
  admit(job: Job, time: number): number
  /** Undoes admit() of a job that does not start after all. */
  cancel(job: Job): void
  /** Notes that the attempt of an admitted job ended. */
  finished(job: Job, time: number): void
  /** Why a waiting job has not started at `time` because of a limit, or null when none holds it. */
  waitOf(job: Job, time: number): JobWait | null
}

/** The gate of a step without flow control: always open, nothing recorded. */
export const OPEN_GATE: FlowGate = { opensAt: (time) => time, admit: () => 0, cancel() {}, finished() {}, waitOf: () => null }

/** What a gate may ask of the dispatcher. */
export interface GateHooks {
  /** Makes a waiting job of this step due now; false when it no longer waits. A freed key slot calls it. */
  wake(jobId: string): boolean
}

/** The gate of a step's consumer: OPEN_GATE without flow control; otherwise its parts, key slots first. */
export function createFlowGate(step: string, options: ConsumerOptions, store: FlowStore, hooks: GateHooks): FlowGate {
  const parts: FlowGate[] = []
  if (options.keyConcurrency) parts.push(createKeyConcurrencyGate(options.keyConcurrency, options.timeoutMs, hooks))
  if (options.rateLimit) parts.push(createRateGate(step, options.rateLimit, store))
  if (parts.length === 0) return OPEN_GATE
  if (parts.length === 1) return parts[0] as FlowGate
  return {
    opensAt: (time) => Math.max(...parts.map((part) => part.opensAt(time))),
    admit(job, time) {
      const admitted: FlowGate[] = []
      for (const part of parts) {
        const retryAt = part.admit(job, time)
        if (retryAt > 0) {
          for (const done of admitted) done.cancel(job)
          return retryAt
        }
        admitted.push(part)
      }
      return 0
    },
    cancel: (job) => parts.forEach((part) => part.cancel(job)),
    finished: (job, time) => parts.forEach((part) => part.finished(job, time)),
    waitOf(job, time) {
      for (const part of parts) {
        const wait = part.waitOf(job, time)
        if (wait) return wait
      }
      return null
    },
  }
}

/** A claimed job sent back by a limit to wait until `until`, without the claim counting as an attempt. */
export function toSentBackJob(job: Job, until: number): Job {
  const attempts = Math.max(0, job.attempts - 1)
  const retrying = attempts > 0 && job.errors.length > 0
  return { ...job, status: retrying ? 'failed' : 'pending', attempts, startedAt: attempts > 0 ? job.startedAt : null, runAt: until }
}
