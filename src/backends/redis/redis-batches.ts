/**
 * Batches on BullMQ, which has none: a batch step's worker takes up to maxSize × concurrency jobs at
 * once, and each job's processor joins the batch filling in this process for its key and waits. When
 * the batch is full, or its timeout passes, the handler runs once, and every job's processor settles
 * with the batch's outcome, so BullMQ's locks, stalls, retries and dead-lettering stay per job. Jobs
 * record their batchId (and the batch's size): a job that comes back for a retry joins only the jobs
 * of its own batch, waiting for them up to the batch timeout, since they come back at the same time.
 * At most `concurrency` batches of a step run at once in a process; the others wait for a slot.
 */
import { randomUUID } from 'node:crypto'
import { type Job as BullJob, DelayedError } from 'bullmq'
import type { AttemptAbort } from '../../queue/attempt-abort.ts'
import type { Batch, ConsumerOptions, Job, JobHandler } from '../../queue/queue.ts'
import type { Attempts } from './redis-attempts.ts'
import { fieldsOf, type JobRecord } from './redis-job-record.ts'

/** How long a batch whose first job came due long ago (a backlog) still gathers the jobs the worker takes next. */
const GATHER_MS = 50

export interface RedisBatches {
  /** The processor of a batch step's job: joins its batch, and settles as the batch's attempt does. */
  join(step: string, bullJob: BullJob<JobRecord>, token: string | undefined, options: ConsumerOptions, handler: JobHandler): Promise<void>
  /** The BullMQ worker concurrency a batch step needs: every job of every batch it may run or fill at once. */
  workerConcurrency(options: Pick<ConsumerOptions, 'concurrency' | 'batch'>): number
  /** Sends the jobs of batches still filling back to wait, their attempt not counted (the queue closes). */
  release(): Promise<void>
}

interface Member {
  bullJob: BullJob<JobRecord>
  token: string | undefined
  /** The member's join record written (batchWait): the start's write must come after it. Never rejects. */
  joined: Promise<unknown>
  settle: { resolve: () => void; reject: (error: unknown) => void }
}

interface Filling {
  step: string
  name: string
  members: Member[]
  /** How many jobs make it full: maxSize, or the size of the batch a retry comes back from. */
  size: number
  /** The batchId a retried batch keeps; null for new jobs. */
  batchId: string | null
  timer: NodeJS.Timeout | undefined
  /** When it closes by its timeout, however full: what its jobs show as `wait.until`. */
  closesAt: number
  options: ConsumerOptions
  handler: JobHandler
}

interface StepRuns {
  running: number
  waiting: Filling[]
}

/** Creates the batches of one Redis queue; `now` and `random` as its attempts use them. */
export function createRedisBatches(attempts: Attempts, now: () => number, random: () => number, onError: (error: unknown) => void): RedisBatches {
  const filling = new Map<string, Filling>()
  const runs = new Map<string, StepRuns>()

  const runsOf = (step: string): StepRuns => {
    let stepRuns = runs.get(step)
    if (!stepRuns) {
      stepRuns = { running: 0, waiting: [] }
      runs.set(step, stepRuns)
    }
    return stepRuns
  }

  /** The batch is complete: it starts when the step has a free slot. */
  const close = (batch: Filling): void => {
    clearTimeout(batch.timer)
    if (filling.get(batch.name) === batch) filling.delete(batch.name)
    const stepRuns = runsOf(batch.step)
    if (stepRuns.running < batch.options.concurrency) start(batch, stepRuns)
    else stepRuns.waiting.push(batch)
  }

  const start = (batch: Filling, stepRuns: StepRuns): void => {
    stepRuns.running += 1
    run(batch)
      // Redis failed before the attempts began (writing the batchId): each job's processor fails with it.
      .catch((error: unknown) => {
        for (const member of batch.members) member.settle.reject(error)
      })
      .finally(() => {
        stepRuns.running -= 1
        const next = stepRuns.waiting.shift()
        if (next) start(next, stepRuns)
      })
      .catch(onError)
  }

  /** One attempt of every member: the handler runs once, and each member's attempt waits for it. */
  const run = async (batch: Filling): Promise<void> => {
    const { members, options, handler, step } = batch
    // A retry's jobs come back from BullMQ's delayed set in no set order: the handler sees them in emit order, as the first time.
    if (batch.batchId !== null) members.sort((a, b) => a.bullJob.data.seq - b.bullJob.data.seq)
    const batchId = batch.batchId ?? randomUUID()
    const startedAt = now()
    const batchPart = { startedAt, jitter: random() }
    await Promise.all(
      members.map(async (member) => {
        await member.joined
        const { batchWait: _, ...data } = member.bullJob.data
        await member.bullJob.updateData({ ...data, batchId, batchSize: members.length })
      }),
    )
    const jobs: Job[] = []
    let first: AttemptAbort | undefined
    let settleAll: { resolve: () => void; reject: (error: unknown) => void } = { resolve() {}, reject() {} }
    const outcome = new Promise<void>((resolve, reject) => {
      settleAll = { resolve, reject }
    })
    // Each member's attempt calls this as it starts (its abort fires on the batch's timeout); the last one runs the handler for all.
    const shared = (job: Job, abort: AttemptAbort): Promise<void> => {
      jobs.push(job)
      first ??= abort
      if (jobs.length === members.length) {
        try {
          handler(jobs[0] as Job, first, jobs).then(settleAll.resolve, settleAll.reject)
        } catch (error) {
          settleAll.reject(error)
        }
      }
      return outcome
    }
    const attemptOptions = { timeoutMs: options.timeoutMs, backoff: options.backoff, batchPart }
    await Promise.allSettled(
      members.map((member) =>
        attempts.run(step, member.bullJob, attemptOptions, shared).then(member.settle.resolve, member.settle.reject),
      ),
    )
  }

  /** The batch a job joins: its own batch's retry, or the batch filling for its key. */
  const fillingFor = (step: string, bullJob: BullJob<JobRecord>, options: ConsumerOptions, handler: JobHandler): Filling => {
    const batch = options.batch as Batch
    const record = bullJob.data
    const retried = bullJob.attemptsMade > 0 && record.batchId !== undefined
    const name = retried ? `${step}\u0000retry\u0000${record.batchId}` : `${step}\u0000key\u0000${batch.keyOf(record.data)}`
    let found = filling.get(name)
    if (found) return found
    const time = now()
    // A new batch gathers until timeoutMs after its first job came due, and a moment at least; a retry waits timeoutMs for its jobs.
    const closesAt = retried ? time + batch.timeoutMs : Math.max(fieldsOf(record).runAt + batch.timeoutMs, time + Math.min(batch.timeoutMs, GATHER_MS))
    found = {
      step,
      name,
      members: [],
      size: retried ? Math.min(record.batchSize ?? batch.maxSize, batch.maxSize) : batch.maxSize,
      batchId: retried ? (record.batchId as string) : null,
      timer: undefined,
      closesAt,
      options,
      handler,
    }
    const opened = found
    opened.timer = setTimeout(() => close(opened), Math.max(0, closesAt - time))
    filling.set(name, opened)
    return opened
  }

  return {
    join(step, bullJob, token, options, handler) {
      const batch = fillingFor(step, bullJob, options, handler)
      return new Promise<void>((resolve, reject) => {
        // Only what the jobs API shows while the job waits: a failed write is reported, not fatal to the job.
        const joined = bullJob.updateData({ ...bullJob.data, batchWait: batch.closesAt }).catch(onError)
        batch.members.push({ bullJob, token, joined, settle: { resolve, reject } })
        if (batch.members.length >= batch.size) close(batch)
      })
    },

    workerConcurrency: (options) => (options.batch ? options.batch.maxSize * options.concurrency : options.concurrency),

    async release() {
      const open = [...filling.values(), ...[...runs.values()].flatMap((stepRuns) => stepRuns.waiting.splice(0))]
      filling.clear()
      await Promise.allSettled(
        open.flatMap((batch) => {
          clearTimeout(batch.timer)
          return batch.members.map(async (member) => {
            try {
              await member.joined
              const { batchWait: _, ...data } = member.bullJob.data
              await member.bullJob.updateData(data)
              await member.bullJob.moveToDelayed(now(), member.token)
              member.settle.reject(new DelayedError())
            } catch (error) {
              member.settle.reject(error)
            }
          })
        }),
      )
    },
  }
}
