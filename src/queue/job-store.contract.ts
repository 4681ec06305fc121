import { describe, expect, it } from 'vitest'
import { isTerminalStatus, type JobStore } from './job-store.ts'
import { toCancelledJob, toCompletedJob, toCreatedJob, toFailedJob, toRetriedJob } from './job-transitions.ts'
import type { Job } from './queue.ts'

/** A seeded generator, so a failure replays. */
function createRandom(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

/** The job claimNext must pick, found by scanning every job (creation order is array order). */
function pickByScan(jobs: readonly Job[], now: number, fifo: boolean): Job | undefined {
  const runnable = jobs.filter((job) => {
    if ((job.status !== 'pending' && job.status !== 'failed') || job.runAt > now) return false
    if (!fifo) return true
    const head = jobs.find((other) => other.messageGroupId === job.messageGroupId && !isTerminalStatus(other.status))
    return head?.id === job.id
  })
  return runnable.sort((a, b) => b.priority - a.priority || jobs.indexOf(a) - jobs.indexOf(b))[0]
}

/**
 * The semantics every JobStore shares, checked through the interface: memory and SQLite run it from
 * their own test files. `create` returns a fresh store and how to release it.
 */
export function runJobStoreContract(name: string, create: () => { store: JobStore; release: () => void }): void {
  describe(name, () => {
    it('picks the same job as a full scan through random inserts, claims, failures, cancels and retries', () => {
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const random = createRandom(seed)
        const { store, release } = create()
        const jobs: Job[] = []
        const running: Job[] = []
        let now = 1_000
        const replace = (job: Job): void => {
          store.update(job)
          jobs[jobs.findIndex((other) => other.id === job.id)] = job
        }
        for (let operation = 0; operation < 600; operation += 1) {
          const roll = random()
          if (roll < 0.3) {
            const job = toCreatedJob(
              {
                step: 's',
                topic: 't',
                data: { operation },
                traceId: 'x',
                maxRetries: 2,
                messageGroupId: random() < 0.2 ? null : `g${Math.floor(random() * 4)}`,
                priority: Math.floor(random() * 3),
                delayMs: random() < 0.3 ? Math.floor(random() * 50) : 0,
              },
              now,
            )
            store.insert(job, null)
            jobs.push(job)
          } else if (roll < 0.6) {
            const fifo = random() < 0.7
            const expected = pickByScan(jobs, now, fifo)
            const claimed = store.claimNext('s', now, fifo)
            expect(claimed?.id, `seed ${seed}, operation ${operation}`).toBe(expected?.id)
            if (claimed) {
              expect(claimed).toMatchObject({ status: 'running', attempts: (expected?.attempts ?? 0) + 1, startedAt: now })
              jobs[jobs.indexOf(expected as Job)] = claimed
              running.push(claimed)
            }
          } else if (roll < 0.8 && running.length > 0) {
            const [job] = running.splice(Math.floor(random() * running.length), 1)
            if (!job) continue
            if (random() < 0.6) replace(toCompletedJob(job, now))
            else replace(toFailedJob(job, new Error('x'), now, { baseMs: 10, maxMs: 40 }, random))
          } else if (roll < 0.9 && jobs.length > 0) {
            const job = jobs[Math.floor(random() * jobs.length)] as Job
            const next = random() < 0.5 ? toCancelledJob(job, now) : toRetriedJob(job, now)
            if (next !== job) replace(next)
          } else {
            now += Math.floor(random() * 20)
          }
          expect(store.countUnsettled(['s'])).toBe(jobs.filter((job) => !isTerminalStatus(job.status)).length)
        }
        const stored = store.list({ limit: 1_000, offset: 0 })
        expect(stored.jobs.slice().reverse()).toEqual(jobs)
        release()
      }
    })

    it('reports the earliest future runAt of waiting jobs of the given steps', () => {
      const { store, release } = create()
      const base = { topic: 't', data: null, traceId: 'x', maxRetries: 0 }
      store.insert(toCreatedJob({ ...base, step: 'a', delayMs: 50 }, 1_000), null)
      store.insert(toCreatedJob({ ...base, step: 'a', delayMs: 10 }, 1_000), null)
      store.insert(toCreatedJob({ ...base, step: 'b', delayMs: 5 }, 1_000), null)
      expect(store.nextRunAt(['a'], 1_000)).toBe(1_010)
      expect(store.nextRunAt(['a', 'b'], 1_000)).toBe(1_005)
      expect(store.claimNext('a', 1_020, false)?.runAt).toBe(1_010)
      expect(store.nextRunAt(['a'], 1_020)).toBe(1_050)
      expect(store.nextRunAt(['missing'], 0)).toBeNull()
      release()
    })

    it('asks to be woken at once, and once, for a job that came due after the last claim of its step', () => {
      const { store, release } = create()
      const base = { topic: 't', data: null, traceId: 'x', maxRetries: 0 }
      const job = toCreatedJob({ ...base, step: 'a', delayMs: 10 }, 1_000)
      store.insert(job, null)
      store.insert(toCreatedJob({ ...base, step: 'b', delayMs: 50 }, 1_000), null)
      expect(store.claimNext('a', 1_009, false)).toBeNull()
      // Another step's claim, with a clock that has passed the job's runAt: nothing claimed step 'a' since.
      expect(store.nextRunAt(['a', 'b'], 1_010)).toBe(1_011)
      expect(store.nextRunAt(['a', 'b'], 1_010)).toBe(1_050)
      expect(store.claimNext('a', 1_010, false)?.id).toBe(job.id)
      release()
    })
  })
}
