/**
 * How a motia-like job lives in BullMQ: one BullMQ queue per step, its topic as the BullMQ job name,
 * and what BullMQ does not keep (trace, group, every attempt's error, the next run time) in the
 * BullMQ job's data. The status is read from the BullMQ state.
 *
 * Ids: a job with no group and no idempotency key is added under BullMQ's own id, a counter per
 * queue, which BullMQ stores faster than an id of ours; outside it is `<queue name>.<counter>`, so
 * it is unique across steps. Jobs of fifo groups and with keys get a UUID, as their group and key
 * need the id before the add. A replayed job is added again under the id it has outside.
 */
import type { Job as BullJob } from 'bullmq'
import type { Job, JobAttemptError, JobStatus, NewJob } from '../../queue/queue.ts'

/**
 * The data of a BullMQ job: the event and the bookkeeping BullMQ has no field for. Fields at their
 * default are left out: every job is written to Redis and read back at least once, and most have
 * no group, priority, delay or error.
 */
export interface JobRecord {
  data: unknown
  traceId: string
  createdAt: number
  /** Creation order for jobs created in the same millisecond. */
  seq: number
  /** Absent: no group. */
  messageGroupId?: string
  /** Absent: 0. */
  priority?: number
  /** When the job may run next: createdAt + delay, or the time of its next retry. Absent: createdAt. */
  runAt?: number
  /** Every failed attempt's error, oldest first. Absent: none yet. */
  errors?: JobAttemptError[]
  /** True while a fifo job waits behind the head of its group (a far-off delay in BullMQ). */
  parked?: true
  /** The W3C traceparent of the emit that queued the job. Absent: tracing was off. */
  traceContext?: string
  /** On a batch step: the batch of its latest attempt, and how many jobs that batch had (its retry waits for them). */
  batchId?: string
  batchSize?: number
  /** On a batch step: set while the job, taken by a worker, waits in a batch that fills until then. */
  batchWait?: number
}

/** What a record leaves out, filled in. */
export interface RecordFields {
  messageGroupId: string | null
  priority: number
  runAt: number
  errors: JobAttemptError[]
}

/** The fields a record may leave out, with their defaults. */
export function fieldsOf(record: JobRecord): RecordFields {
  return {
    messageGroupId: record.messageGroupId ?? null,
    priority: record.priority ?? 0,
    runAt: record.runAt ?? record.createdAt,
    errors: record.errors ?? [],
  }
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

// Every job id outside names its step's queue: encoded once per step instead of once per job.
const queueNames = new Map<string, string>()

/** BullMQ forbids ":" in queue names; step names may hold anything. */
export function toQueueName(step: string): string {
  let name = queueNames.get(step)
  if (name === undefined) {
    name = encodeURIComponent(step)
    queueNames.set(step, name)
  }
  return name
}

const COUNTER_ID = /^[0-9]+$/

/** The id outside of a job of `step` with BullMQ id `bullId`. */
export function toJobId(step: string, bullId: string | undefined): string {
  const id = bullId ?? ''
  return COUNTER_ID.test(id) ? `${toQueueName(step)}.${id}` : id
}

/** The step and BullMQ counter an id of a counter job stands for; null for any other id. */
export function parseCounterId(id: string): { step: string; counter: string } | null {
  const dot = id.lastIndexOf('.')
  const counter = id.slice(dot + 1)
  if (dot <= 0 || !COUNTER_ID.test(counter)) return null
  try {
    return { step: decodeURIComponent(id.slice(0, dot)), counter }
  } catch {
    return null
  }
}

/** The record of a new job created at `time`. */
export function toJobRecord(newJob: NewJob, time: number, seq: number): JobRecord {
  const record: JobRecord = { data: newJob.data, traceId: newJob.traceId, createdAt: time, seq }
  if (newJob.messageGroupId !== null && newJob.messageGroupId !== undefined) record.messageGroupId = newJob.messageGroupId
  if (newJob.priority) record.priority = newJob.priority
  if (newJob.delayMs && newJob.delayMs > 0) record.runAt = time + newJob.delayMs
  if (newJob.traceContext) record.traceContext = newJob.traceContext
  return record
}

/** The record to re-add a job with: its event and error history, runnable at `runAt`. */
export function toRecordOf(job: Job, seq: number, runAt: number): JobRecord {
  const record: JobRecord = { data: job.data, traceId: job.traceId, createdAt: job.createdAt, seq, runAt }
  if (job.messageGroupId !== null) record.messageGroupId = job.messageGroupId
  if (job.priority) record.priority = job.priority
  if (job.errors.length > 0) record.errors = job.errors
  if (job.traceContext) record.traceContext = job.traceContext
  return record
}

function toStatus(state: BullState, attemptsMade: number, record: JobRecord): JobStatus {
  switch (state) {
    case 'active':
      // Taken by a worker but waiting in a batch that fills: not started yet.
      if (record.batchWait !== undefined) return attemptsMade > 0 ? 'failed' : 'pending'
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
  const status = toStatus(state, bullJob.attemptsMade, record)
  const finished = status === 'completed' || status === 'dead'
  const { messageGroupId, priority, runAt, errors: recorded } = fieldsOf(record)
  let errors = recorded
  // BullMQ fails a job on its own (a job stalled too often): its reason joins the error list.
  if (status === 'dead' && bullJob.failedReason && errors.at(-1)?.message !== bullJob.failedReason) {
    errors = [...errors, { attempt: bullJob.attemptsMade, message: bullJob.failedReason, at: bullJob.finishedOn ?? Date.now() }]
  }
  const job: Job = {
    id: toJobId(step, bullJob.id),
    step,
    topic: bullJob.name,
    data: record.data,
    traceId: record.traceId,
    status,
    attempts: status === 'running' ? bullJob.attemptsMade + 1 : bullJob.attemptsMade,
    maxAttempts: bullJob.opts.attempts ?? 1,
    lastError: errors.at(-1)?.message ?? null,
    errors,
    messageGroupId,
    priority,
    createdAt: record.createdAt,
    startedAt: status === 'pending' ? null : (bullJob.processedOn ?? null),
    finishedAt: finished ? (bullJob.finishedOn ?? null) : null,
    runAt,
    traceContext: record.traceContext,
  }
  if (record.batchId !== undefined) job.batchId = record.batchId
  if (state === 'active' && record.batchWait !== undefined) job.wait = { reason: 'batching', until: record.batchWait }
  return job
}

/** The job of `topic` that `add` just stored in BullMQ as `id`: pending, with no attempt made yet; no read back. */
export function toAddedJob(step: string, topic: string, id: string, record: JobRecord, maxAttempts: number): Job {
  const { messageGroupId, priority, runAt, errors } = fieldsOf(record)
  return {
    id,
    step,
    topic,
    data: record.data,
    traceId: record.traceId,
    status: 'pending',
    attempts: 0,
    maxAttempts,
    lastError: errors.at(-1)?.message ?? null,
    errors,
    messageGroupId,
    priority,
    createdAt: record.createdAt,
    startedAt: null,
    finishedAt: null,
    runAt,
    traceContext: record.traceContext,
  }
}

/** Newest first: by creation time, then creation order. */
export function compareNewestFirst(a: { job: Job; seq: number }, b: { job: Job; seq: number }): number {
  return b.job.createdAt - a.job.createdAt || b.seq - a.seq
}
