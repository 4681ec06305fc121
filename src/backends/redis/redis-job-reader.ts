/** Reading jobs back from BullMQ for the jobs API: one job, filtered lists and stats across every step's queue. */
import type { Job as BullJob, JobType, Queue as BullQueue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { JobStatsInput } from '../../queue/job-store.ts'
import type { Job, JobFilter, JobStatus } from '../../queue/queue.ts'
import { type BullState, compareNewestFirst, type JobRecord, parseCounterId, toJob } from './redis-job-record.ts'

/** A cancelled job: removed from BullMQ, kept in a hash with what a retry needs. */
export interface CancelledEntry {
  job: Job
  seq: number
}

/** Where the reader finds the queues and the cancelled jobs. */
export interface ReaderSources {
  client: Redis
  /** Every step with a queue in this Redis (from any process). */
  steps(): Promise<string[]>
  queueOf(step: string): BullQueue<JobRecord>
  cancelledKey: string
}

/** A job as the reader found it, with the BullMQ job when it is still in BullMQ. */
export interface Found {
  job: Job
  seq: number
  bullJob: BullJob<JobRecord> | null
}

/** Where jobs of each status live in BullMQ; cancelled and skipped jobs live in the cancelled hash instead. */
const bullTypes: Record<Exclude<JobStatus, 'cancelled' | 'skipped'>, JobType[]> = {
  pending: ['wait', 'prioritized', 'delayed'],
  running: ['active'],
  completed: ['completed'],
  failed: ['delayed'],
  dead: ['failed'],
}
const allTypes: JobType[] = ['wait', 'prioritized', 'delayed', 'active', 'completed', 'failed']

/** Reads jobs of one Redis queue. */
export interface JobReader {
  get(id: string): Promise<Found | null>
  list(filter: JobFilter): Promise<{ jobs: Job[]; total: number }>
  statsInput(): Promise<JobStatsInput>
}

function matches(job: Job, filter: JobFilter): boolean {
  if (filter.status && job.status !== filter.status) return false
  if (filter.topic && job.topic !== filter.topic) return false
  if (filter.traceId && job.traceId !== filter.traceId) return false
  if (filter.search && !(JSON.stringify(job.data) ?? '').includes(filter.search)) return false
  return true
}

/** Creates the reader over the given sources. */
export function createJobReader(sources: ReaderSources): JobReader {
  const { client } = sources

  const cancelled = async (): Promise<CancelledEntry[]> =>
    Object.values(await client.hgetall(sources.cancelledKey)).map((json) => JSON.parse(json) as CancelledEntry)

  /** Every job of a step in the given BullMQ types, with its state known from the type it was read from. */
  const jobsOf = async (step: string, types: readonly JobType[]): Promise<Found[]> => {
    const queue = sources.queueOf(step)
    const found: Found[] = []
    for (const type of new Set(types)) {
      for (const bullJob of (await queue.getJobs([type], 0, -1)) as Array<BullJob<JobRecord> | undefined>) {
        if (!bullJob?.data) continue
        found.push({ job: toJob(step, bullJob, type === 'wait' ? 'waiting' : type), seq: bullJob.data.seq, bullJob })
      }
    }
    return found
  }

  return {
    async get(id) {
      const entry = await client.hget(sources.cancelledKey, id)
      if (entry !== null) {
        const { job, seq } = JSON.parse(entry) as CancelledEntry
        return { job, seq, bullJob: null }
      }
      const steps = await sources.steps()
      const counter = parseCounterId(id)
      if (counter) {
        // A job BullMQ numbered is in its step's queue, under the counter, or under its id once replayed.
        if (!steps.includes(counter.step)) return null
        const queue = sources.queueOf(counter.step)
        const bullJob = ((await queue.getJob(counter.counter)) ?? (await queue.getJob(id))) as BullJob<JobRecord> | undefined
        if (!bullJob?.data) return null
        return { job: toJob(counter.step, bullJob, await bullJob.getState()), seq: bullJob.data.seq, bullJob }
      }
      const candidates = await Promise.all(steps.map((step) => sources.queueOf(step).getJob(id)))
      for (const [index, candidate] of candidates.entries()) {
        const bullJob = candidate as BullJob<JobRecord> | undefined
        if (!bullJob?.data) continue
        const state: BullState = await bullJob.getState()
        return { job: toJob(steps[index] as string, bullJob, state), seq: bullJob.data.seq, bullJob }
      }
      return null
    },

    async list(filter) {
      const steps = filter.step ? [filter.step] : await sources.steps()
      const found: Array<{ job: Job; seq: number }> = []
      if (filter.status !== 'cancelled' && filter.status !== 'skipped') {
        const types = filter.status ? bullTypes[filter.status] : allTypes
        for (const step of steps) found.push(...(await jobsOf(step, types)))
      }
      if (!filter.status || filter.status === 'cancelled' || filter.status === 'skipped') {
        found.push(...(await cancelled()).filter((entry) => steps.includes(entry.job.step)))
      }
      const kept = found.filter((entry) => matches(entry.job, filter)).sort(compareNewestFirst)
      const offset = filter.offset ?? 0
      return { jobs: kept.slice(offset, offset + (filter.limit ?? 50)).map((entry) => entry.job), total: kept.length }
    },

    async statsInput() {
      const counts: JobStatsInput['counts'] = []
      let oldestPendingCreatedAt: number | null = null
      const runTimesMs: number[] = []
      const add = (step: string, status: JobStatus, count: number): void => {
        if (count > 0) counts.push({ step, status, count })
      }
      for (const step of await sources.steps()) {
        const queue = sources.queueOf(step)
        const bull = await queue.getJobCounts('active', 'completed', 'failed')
        add(step, 'running', bull['active'] ?? 0)
        add(step, 'completed', bull['completed'] ?? 0)
        add(step, 'dead', bull['failed'] ?? 0)
        // Pending and retry-waiting jobs are told apart by their attempts, so they are read.
        let pending = 0
        let failed = 0
        for (const { job } of await jobsOf(step, bullTypes.pending)) {
          if (job.status === 'failed') failed += 1
          else pending += 1
          if (job.status === 'pending' && (oldestPendingCreatedAt === null || job.createdAt < oldestPendingCreatedAt)) {
            oldestPendingCreatedAt = job.createdAt
          }
        }
        add(step, 'pending', pending)
        add(step, 'failed', failed)
        for (const done of (await queue.getJobs(['completed'], 0, 999)) as Array<BullJob<JobRecord> | undefined>) {
          if (done?.finishedOn && done.processedOn) runTimesMs.push(done.finishedOn - done.processedOn)
        }
      }
      const perStep = new Map<string, { step: string; status: JobStatus; count: number }>()
      for (const { job } of await cancelled()) {
        const key = `${job.status}\u0000${job.step}`
        const entry = perStep.get(key) ?? { step: job.step, status: job.status, count: 0 }
        entry.count += 1
        perStep.set(key, entry)
      }
      for (const { step, status, count } of perStep.values()) add(step, status, count)
      return { counts, oldestPendingCreatedAt, runTimesMs }
    },
  }
}
