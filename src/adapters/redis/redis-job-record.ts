/**
 * How a motia-like job lives in BullMQ: one BullMQ queue per step, the job's id as the BullMQ job
 * id, and what BullMQ does not keep (topic, trace, group, every attempt's error, the next run time)
 * in the BullMQ job's data. The status is read from the BullMQ state.
 */
import type { Job as BullJob } from 'bullmq'
import type { Job, JobAttemptError, JobStatus, NewJob } from '../../queue/queue.ts'

/** The data of a BullMQ job: the event and the bookkeeping BullMQ has no field for. */
export interface JobRecord {
  topic: string
  data: unknown
  traceId: string
  messageGroupId: string | null
  priority: number
  createdAt: number
  /** Creation order for jobs created in the same millisecond. */
  seq: number
  /** When the job may run next: createdAt + delay, or the time of its next retry. */
  runAt: number
  errors: JobAttemptError[]
  /** True while a fifo job waits behind the head of its group (a far-off delay in BullMQ). */
  parked: boolean
}

/** The states BullMQ reports for a job. */
export type BullState = 'waiting' | 'wait' | 'prioritized' | 'paused' | 'delayed' | 'active' | 'completed' | 'failed' | string

/** BullMQ runs lower numbers first and jobs with no priority before all others, so every job gets one around this middle. */
const PRIORITY_MIDDLE = 1_048_576
const PRIORITY_MAX = 2_097_151

/** The BullMQ priority of a job whose priority (higher runs first) is `priority`. */
export function toBullPriority(priority: number): number {
  return Math.min(PRIORITY_MAX, Math.max(1, PRIORITY_MIDDLE - Math.round(priority)))
}

/** BullMQ forbids ":" in queue names; step names may hold anything. */
export function toQueueName(step: string): string {
  return encodeURIComponent(step)
}

/** The record of a new job created at `time`. */
export function toJobRecord(newJob: NewJob, time: number, seq: number): JobRecord {
  return {
    topic: newJob.topic,
    data: newJob.data,
    traceId: newJob.traceId,
    messageGroupId: newJob.messageGroupId ?? null,
    priority: newJob.priority ?? 0,
    createdAt: time,
    seq,
    runAt: time + Math.max(0, newJob.delayMs ?? 0),
    errors: [],
    parked: false,
  }
}

function toStatus(state: BullState, attemptsMade: number): JobStatus {
  switch (state) {
    case 'active':
      return 'running'
    case 'completed':
      return 'completed'
    case 'failed':
      return 'dead'
    case 'delayed':
      return attemptsMade > 0 ? 'failed' : 'pending'
    default:
      return 'pending'
  }
}

/** The job a BullMQ job of `step` in `state` stands for. */
export function toJob(step: string, bullJob: BullJob<JobRecord>, state: BullState): Job {
  const record = bullJob.data
  const status = toStatus(state, bullJob.attemptsMade)
  const finished = status === 'completed' || status === 'dead'
  let errors = record.errors
  // BullMQ fails a job on its own (a job stalled too often): its reason joins the error list.
  if (status === 'dead' && bullJob.failedReason && errors.at(-1)?.message !== bullJob.failedReason) {
    errors = [...errors, { attempt: bullJob.attemptsMade, message: bullJob.failedReason, at: bullJob.finishedOn ?? Date.now() }]
  }
  return {
    id: String(bullJob.id),
    step,
    topic: record.topic,
    data: record.data,
    traceId: record.traceId,
    status,
    attempts: status === 'running' ? bullJob.attemptsMade + 1 : bullJob.attemptsMade,
    maxAttempts: bullJob.opts.attempts ?? 1,
    lastError: errors.at(-1)?.message ?? null,
    errors,
    messageGroupId: record.messageGroupId,
    priority: record.priority,
    createdAt: record.createdAt,
    startedAt: bullJob.processedOn ?? null,
    finishedAt: finished ? (bullJob.finishedOn ?? null) : null,
    runAt: record.runAt,
  }
}

/** The job `add` just stored in BullMQ as `id`: pending, with no attempt made yet; no read back. */
export function toAddedJob(step: string, id: string, record: JobRecord, maxAttempts: number): Job {
  return {
    id,
    step,
    topic: record.topic,
    data: record.data,
    traceId: record.traceId,
    status: 'pending',
    attempts: 0,
    maxAttempts,
    lastError: record.errors.at(-1)?.message ?? null,
    errors: record.errors,
    messageGroupId: record.messageGroupId,
    priority: record.priority,
    createdAt: record.createdAt,
    startedAt: null,
    finishedAt: null,
    runAt: record.runAt,
  }
}

/** Newest first: by creation time, then creation order. */
export function compareNewestFirst(a: { job: Job; seq: number }, b: { job: Job; seq: number }): number {
  return b.job.createdAt - a.job.createdAt || b.seq - a.seq
}
