import { toErrorMessage } from '../errors.ts'
import type { LogEntry } from '../logger/create-logger.ts'
import type { JobEvent } from '../queue/queue.ts'
import type { Activity } from '../runtime/activity.ts'
import type { Invocation } from '../runtime/invocations.ts'
import { type Captured, capture, release } from './capture.ts'
import type { Trace, TraceEmit, TraceEntry, TraceLog, TraceRun, TraceStateWrite, TraceStatus, TraceSummary } from './trace.ts'

export interface TraceRecorderOptions {
  /** Traces kept; the oldest is dropped first. Default 300. */
  maxTraces?: number
  /** Entries kept per trace; later ones are counted in `dropped`. Default 500. */
  maxEntries?: number
  /** Longest JSON text kept of an emit's data or a log line's fields. Default 4,000 characters. */
  maxValueChars?: number
  /** Receives what a throwing change listener threw. */
  onError?: (error: unknown) => void
}

export interface TraceQuery {
  /** Default 50. */
  limit?: number
  /** Only traces that ran this step. */
  step?: string
  status?: TraceStatus
}

/** Keeps the recent traces of a runtime in memory, bounded, built from what the runtime reports. */
export interface TraceRecorder {
  activity(activity: Activity): void
  invocation(invocation: Invocation): void
  job(event: JobEvent): void
  log(entry: LogEntry): void
  /** Recent traces, newest first. */
  list(query?: TraceQuery): TraceSummary[]
  /** One trace with its timeline in order, or null when unknown (or dropped as too old). */
  get(traceId: string): Trace | null
  /** What `list` shows of one trace, or null when unknown. */
  summary(traceId: string): TraceSummary | null
  /** Called with the trace id after every change; returns the function that stops it. */
  onChange(listener: (traceId: string) => void): () => void
}

type Stored<T extends TraceEntry> = Omit<T, 'offsetMs'>
interface StoredRun extends Stored<TraceRun> {
  /** When the job was created, to place the emit that created it before it. */
  queuedAt?: number
  /** Set once an emit was placed before this run. */
  claimed?: boolean
}
type StoredEmit = Omit<Stored<TraceEmit>, 'data' | 'truncated'> & { data: string | Captured }
type StoredLog = Omit<Stored<TraceLog>, 'meta' | 'truncated'> & { meta: string | Captured }
type StoredEntry = StoredRun | StoredEmit | Stored<TraceStateWrite> | StoredLog

interface TraceRecord {
  traceId: string
  entries: StoredEntry[]
  /** Runs not finished yet, by `job:<id>` or `call:<invocation id>`. */
  open: Map<string, StoredRun>
  /** Jobs whose last attempt failed; a later success takes them out. */
  failedJobs: Set<string>
  failedCalls: number
  counts: TraceSummary['counts']
  steps: string[]
  dropped: number
  updatedAt: number
  endAt: number
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function nameOf(first: StoredEntry | undefined): string {
  if (!first) return 'trace'
  if (first.type === 'run') {
    if (first.trigger === 'api') return `${first.method ?? ''} ${(first.path ?? '').split('?')[0]}`.trim()
    if (first.trigger === 'cron') return `${first.step} (cron)`
    return `${first.topic ?? ''} → ${first.step}`
  }
  if (first.type === 'emit') return first.step ? `${first.step}: emit ${first.topic}` : `emit ${first.topic}`
  return first.step ?? 'trace'
}

function statusOf(record: TraceRecord): TraceStatus {
  if (record.open.size > 0) return 'running'
  return record.failedJobs.size > 0 || record.failedCalls > 0 ? 'error' : 'ok'
}

/** Creates an empty recorder; feed it with `attachTraceRecorder` or call its inputs directly. */
export function createTraceRecorder(options: TraceRecorderOptions = {}): TraceRecorder {
  const maxTraces = options.maxTraces ?? 300
  const maxEntries = options.maxEntries ?? 500
  const maxValueChars = options.maxValueChars ?? 4000
  const onError = options.onError ?? (() => {})
  const traces = new Map<string, TraceRecord>()
  const listeners = new Set<(traceId: string) => void>()

  function recordOf(traceId: string, create: boolean): TraceRecord | undefined {
    const found = traces.get(traceId)
    if (found || !create) return found
    if (traces.size >= maxTraces) {
      const oldest = traces.keys().next().value
      if (oldest !== undefined) traces.delete(oldest)
    }
    const record: TraceRecord = {
      traceId,
      entries: [],
      open: new Map(),
      failedJobs: new Set(),
      failedCalls: 0,
      counts: { runs: 0, emits: 0, stateWrites: 0, logs: 0, errors: 0 },
      steps: [],
      dropped: 0,
      updatedAt: 0,
      endAt: 0,
    }
    traces.set(traceId, record)
    return record
  }

  function changed(record: TraceRecord, at: number): void {
    record.updatedAt = Math.max(record.updatedAt, at)
    record.endAt = Math.max(record.endAt, at)
    for (const listener of listeners) {
      try {
        listener(record.traceId)
      } catch (error) {
        onError(error)
      }
    }
  }

  /** Inserts in time order; `before` places the entry ahead of an entry already there. */
  function add(record: TraceRecord, entry: StoredEntry, before?: StoredEntry): boolean {
    if (record.entries.length >= maxEntries) {
      record.dropped += 1
      changed(record, entry.at)
      return false
    }
    const { entries } = record
    let index = before ? entries.indexOf(before) : -1
    if (index < 0) {
      index = entries.length
      while (index > 0 && (entries[index - 1] as StoredEntry).at > entry.at) index -= 1
    }
    entries.splice(index, 0, entry)
    if (entry.type === 'run') {
      record.counts.runs += 1
      if (!record.steps.includes(entry.step)) record.steps.push(entry.step)
    } else if (entry.type === 'emit') record.counts.emits += 1
    else if (entry.type === 'state') record.counts.stateWrites += 1
    else {
      record.counts.logs += 1
      if (entry.level === 'error') record.counts.errors += 1
    }
    changed(record, entry.at)
    return true
  }

  function startRun(traceId: string, key: string, run: StoredRun): void {
    const record = recordOf(traceId, true) as TraceRecord
    if (add(record, run)) record.open.set(key, run)
  }

  function endRun(traceId: string, key: string, end: Partial<StoredRun> & { at: number; failed: boolean }): TraceRecord | undefined {
    const record = recordOf(traceId, false)
    const run = record?.open.get(key)
    if (!record || !run) return undefined
    record.open.delete(key)
    const { at, failed, ...rest } = end
    Object.assign(run, rest, { status: failed ? 'error' : 'ok' })
    run.durationMs ??= Math.max(0, at - run.at)
    if (failed) record.counts.errors += 1
    record.endAt = Math.max(record.endAt, run.at + run.durationMs)
    changed(record, at)
    return record
  }

  /** The job runs this emit created that started before the emit was reported: the emit goes ahead of them. */
  function claimRuns(record: TraceRecord, topic: string, at: number): StoredRun[] {
    const runs: StoredRun[] = []
    for (const entry of record.entries) {
      if (entry.type !== 'run' || entry.trigger !== 'event' || entry.claimed || entry.topic !== topic) continue
      if (entry.attempt === 1 && entry.at <= at && (entry.queuedAt ?? Infinity) <= at) runs.push(entry)
    }
    for (const run of runs) run.claimed = true
    return runs
  }

  function toEntry(entry: StoredEntry, startedAt: number): TraceEntry {
    const offsetMs = entry.at - startedAt
    if (entry.type === 'run') {
      const { queuedAt: _queuedAt, claimed: _claimed, ...run } = entry
      return { ...run, offsetMs }
    }
    if (entry.type === 'emit') {
      const { value, truncated } = release(entry.data)
      return { ...entry, data: value, offsetMs, ...(truncated ? { truncated: true as const } : {}) }
    }
    if (entry.type === 'log') {
      const { value, truncated } = release(entry.meta)
      return { ...entry, meta: value, offsetMs, ...(truncated ? { truncated: true as const } : {}) }
    }
    return { ...entry, offsetMs }
  }

  function summarize(record: TraceRecord): TraceSummary {
    const startedAt = record.entries[0]?.at ?? record.updatedAt
    return {
      traceId: record.traceId,
      name: nameOf(record.entries[0]),
      status: statusOf(record),
      startedAt,
      updatedAt: record.updatedAt,
      durationMs: Math.max(0, record.endAt - startedAt),
      steps: [...record.steps],
      counts: { ...record.counts },
      dropped: record.dropped,
    }
  }

  return {
    activity(activity) {
      const record = recordOf(activity.traceId, true) as TraceRecord
      if (activity.type === 'state') {
        const { traceId: _traceId, ...write } = activity
        add(record, write)
        return
      }
      const claimed = claimRuns(record, activity.topic, activity.at)
      const at = Math.min(activity.at, ...claimed.map((run) => run.queuedAt ?? activity.at))
      const emit: StoredEmit = { type: 'emit', at, step: activity.step, topic: activity.topic, data: capture(activity.data, maxValueChars) }
      add(record, emit, claimed[0])
    },

    invocation(invocation) {
      const key = `call:${invocation.id}`
      if (invocation.phase === 'start') {
        const { kind, at, step, method, path } = invocation
        startRun(invocation.traceId, key, {
          type: 'run',
          at,
          step,
          trigger: kind,
          status: 'running',
          durationMs: null,
          ...(method ? { method } : {}),
          ...(path ? { path } : {}),
        })
        return
      }
      const failed = invocation.error !== undefined || (invocation.status ?? 0) >= 500
      const record = endRun(invocation.traceId, key, {
        at: invocation.at,
        failed,
        durationMs: invocation.durationMs,
        ...(invocation.status === undefined ? {} : { httpStatus: invocation.status }),
        ...(invocation.error === undefined ? {} : { error: invocation.error }),
      })
      if (record && failed) record.failedCalls += 1
    },

    job(event) {
      const { job } = event
      const key = `job:${job.id}`
      if (event.type === 'started') {
        startRun(job.traceId, key, {
          type: 'run',
          at: job.startedAt ?? Date.now(),
          step: job.step,
          trigger: 'event',
          status: 'running',
          durationMs: null,
          jobId: job.id,
          topic: job.topic,
          attempt: job.attempts,
          maxAttempts: job.maxAttempts,
          queuedAt: job.createdAt,
        })
        return
      }
      const at = job.finishedAt ?? Date.now()
      if (event.type === 'completed') {
        const record = endRun(job.traceId, key, { at, failed: false, durationMs: event.durationMs })
        record?.failedJobs.delete(job.id)
        return
      }
      const record = endRun(job.traceId, key, { at, failed: true, error: toErrorMessage(event.error), willRetry: event.willRetry })
      record?.failedJobs.add(job.id)
    },

    log(entry) {
      const traceId = entry.traceId ?? str(entry.meta['traceId'])
      if (!traceId) return
      const record = recordOf(traceId, true) as TraceRecord
      const { traceId: _traceId, ...meta } = entry.meta
      add(record, {
        type: 'log',
        at: entry.time,
        step: entry.step ?? str(entry.meta['step']) ?? null,
        level: entry.level,
        msg: entry.msg,
        meta: capture(meta, maxValueChars),
      })
    },

    list(query = {}) {
      const limit = query.limit ?? 50
      const found: TraceSummary[] = []
      for (const record of [...traces.values()].reverse()) {
        if (found.length >= limit) break
        if (query.step && !record.steps.includes(query.step)) continue
        const summary = summarize(record)
        if (!query.status || summary.status === query.status) found.push(summary)
      }
      return found
    },

    get(traceId) {
      const record = traces.get(traceId)
      if (!record) return null
      const summary = summarize(record)
      return { ...summary, entries: record.entries.map((entry) => toEntry(entry, summary.startedAt)) }
    },

    summary(traceId) {
      const record = traces.get(traceId)
      return record ? summarize(record) : null
    },

    onChange(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
  }
}
