/**
 * Debounce of a step's jobs in the dispatcher: a new job whose key has a job still waiting for its
 * debounce period replaces it (the older one is cancelled, saying which job took its place), and
 * runs `periodMs` after the last emit, or `maxWaitMs` after the first at the latest.
 */
import type { JobStore } from './job-store.ts'
import type { Debounce, Job, JobWait } from './queue.ts'

export interface Debouncer {
  /** The new job as it is to be stored: delayed to its debounce time, after cancelling the job it replaces. Runs inside the enqueue transaction. */
  place(job: Job, time: number): Job
  /** `debounced` until its run time, for the newest job of its key while it waits. */
  waitOf(job: Job, time: number): JobWait | null
}

/** The debouncer of a step without debounce: jobs as they are. */
export const NO_DEBOUNCE: Debouncer = { place: (job) => job, waitOf: () => null }

interface Latest {
  id: string
  /** When the first emit of this run of emits came, which maxWaitMs counts from. */
  firstAt: number
}

/** Creates the debouncer of a step; `waiting` lists its jobs that wait now (read once, so a restart keeps collapsing). */
export function createDebouncer(options: Debounce, store: JobStore, waiting: readonly Job[]): Debouncer {
  const { periodMs, maxWaitMs, keyOf } = options
  const latest = new Map<string, Latest>()
  // Newest first: the newest waiting job of a key is the one later emits replace.
  for (const job of waiting) {
    const key = keyOf(job.data)
    if (job.attempts === 0 && !latest.has(key)) latest.set(key, { id: job.id, firstAt: job.createdAt })
  }

  return {
    place(job, time) {
      const key = keyOf(job.data)
      const previous = latest.get(key)
      const replaced = previous ? store.get(previous.id) : null
      const stillWaiting = replaced !== null && replaced.status === 'pending' && replaced.attempts === 0 && replaced.runAt > time
      const firstAt = stillWaiting && previous ? previous.firstAt : time
      if (stillWaiting && replaced) {
        store.update({
          ...replaced,
          status: 'cancelled',
          finishedAt: time,
          lastError: `Debounced: job ${job.id} took its place within ${periodMs} ms and runs with the newer data.`,
        })
      }
      latest.set(key, { id: job.id, firstAt })
      const due = maxWaitMs === null ? time + periodMs : Math.min(time + periodMs, firstAt + maxWaitMs)
      return { ...job, runAt: Math.max(job.runAt, due) }
    },
    waitOf(job, time) {
      if (job.status !== 'pending' || job.runAt <= time) return null
      return latest.get(keyOf(job.data))?.id === job.id ? { reason: 'debounced', until: job.runAt } : null
    },
  }
}
