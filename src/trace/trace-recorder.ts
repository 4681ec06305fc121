import { createFeed } from '../feed.ts'
import { toErrorMessage } from '../errors.ts'
import type { LogEntry } from '../logger/create-logger.ts'
import type { JobEvent } from '../queue/queue.ts'
import type { Activity } from '../runtime/activity.ts'
import type { Invocation } from '../runtime/invocations.ts'
import { capture, clip } from './capture.ts'
import type { Trace, TraceStatus, TraceSummary } from './trace.ts'
import { addEntry, createRecord, type StoredEmit, type StoredEntry, type StoredRun, summarize, type TraceRecord, toTrace } from './trace-record.ts'

export interface TraceRecorderOptions {
  /** Traces kept; the oldest is dropped first. Default 300. */
  maxTraces?: number
  /** Entries kept per trace; later ones are counted in `dropped`. Default 500. */
  maxEntries?: number
  /** Longest JSON text kept of an emit's data or a log line's fields, and longest message or error. Default 4,000 characters. */
  maxValueChars?: number
  /** Longest topic, step name, path, state group or key kept. Default 500 characters. */
  maxNameChars?: number
  /** Rough memory all traces may hold; the oldest traces are dropped to stay under it. Default 32 MB. */
  maxBytes?: number
  /** Receives what a throwing change listener threw. */
  onError?: (error: unknown) => void
}

export interface TraceQuery {
  /** Default 50. */
  limit?: number
  /** Only traces older than the one this names (the `nextCursor` of the previous page). */
  before?: number
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
  /** Recent traces, newest first; `nextCursor` names the last one when older ones match too. */
  list(query?: TraceQuery): { traces: TraceSummary[]; nextCursor: number | null }
  /** One trace with its timeline in order, or null when unknown (or dropped as too old). */
  get(traceId: string): Trace | null
  /** What `list` shows of one trace, or null when unknown. */
  summary(traceId: string): TraceSummary | null
  /** Called with the trace id after every change; returns the function that stops it. */
  onChange(listener: (traceId: string) => void): () => void
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function clipNull(value: string | null, maxChars: number): string | null {
  return value === null ? null : clip(value, maxChars)
}

/** The step of the only run of a trace still open, or null. */
function soleRunning(record: TraceRecord): string | null {
  if (record.open.size !== 1) return null
  const [run] = record.open.values()
  return run?.step ?? null
}

/** Creates an empty recorder; feed it with `attachTraceRecorder` or call its inputs directly. */
export function createTraceRecorder(options: TraceRecorderOptions = {}): TraceRecorder {
  const maxTraces = options.maxTraces ?? 300
  const maxEntries = options.maxEntries ?? 500
  const maxValueChars = options.maxValueChars ?? 4000
  const maxNameChars = options.maxNameChars ?? 500
  const name = (text: string): string => clip(text, maxNameChars)
  const text = (value: string): string => clip(value, maxValueChars)
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024
  let size = 0
  let created = 0
  const traces = new Map<string, TraceRecord>()
  const changes = createFeed<string>(options.onError ?? (() => {}))

  function recordOf(traceId: string, create: boolean): TraceRecord | undefined {
    const found = traces.get(traceId)
    if (found || !create) return found
    if (traces.size >= maxTraces) dropOldest()
    created += 1
    const record = createRecord(traceId, created)
    traces.set(traceId, record)
    return record
  }

  function dropOldest(): void {
    const [oldest] = traces.values()
    if (!oldest) return
    traces.delete(oldest.traceId)
    size -= oldest.size
  }

  function changed(record: TraceRecord, at: number): void {
    record.updatedAt = Math.max(record.updatedAt, at)
    record.endAt = Math.max(record.endAt, at)
    if (changes.active) changes.report(record.traceId)
  }

  /** Adds an entry in time order (or ahead of `before`); false when the trace is full and the entry was dropped. */
  function add(record: TraceRecord, entry: StoredEntry, before?: StoredEntry): boolean {
    const was = record.size
    const added = addEntry(record, entry, maxEntries, before)
    size += record.size - was
    // The newest trace is kept even alone over budget: it is the one being looked at.
    while (size > maxBytes && traces.size > 1 && traces.values().next().value !== record) dropOldest()
    changed(record, entry.at)
    return added
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
    // The error arrives with the end of the run: it counts from then on.
    const errorSize = 2 * (rest.error?.length ?? 0)
    record.size += errorSize
    size += errorSize
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

  return {
    activity(activity) {
      const record = recordOf(activity.traceId, true) as TraceRecord
      if (activity.type === 'state') {
        const { traceId: _traceId, jobId: _jobId, ...write } = activity
        add(record, { ...write, step: name(write.step), group: name(write.group), key: write.key === null ? null : name(write.key) })
        return
      }
      if (activity.type === 'stream') {
        const { traceId: _traceId, jobId: _jobId, ...write } = activity
        const id = write.id === null ? null : name(write.id)
        add(record, { ...write, step: name(write.step), stream: name(write.stream), group: name(write.group), id })
        return
      }
      const claimed = claimRuns(record, name(activity.topic), activity.at)
      const at = Math.min(activity.at, ...claimed.map((run) => run.queuedAt ?? activity.at))
      const emit: StoredEmit = {
        type: 'emit',
        at,
        step: activity.step === null ? null : name(activity.step),
        topic: name(activity.topic),
        data: capture(activity.data, maxValueChars),
      }
      add(record, emit, claimed[0])
    },

    invocation(invocation) {
      const key = `call:${invocation.id}`
      if (invocation.phase === 'start') {
        const { kind, at, step, method, path } = invocation
        startRun(invocation.traceId, key, {
          type: 'run',
          at,
          step: name(step),
          trigger: kind,
          status: 'running',
          durationMs: null,
          ...(method ? { method: name(method) } : {}),
          ...(path ? { path: name(path) } : {}),
        })
        return
      }
      const failed = invocation.error !== undefined || (invocation.status ?? 0) >= 500
      const record = endRun(invocation.traceId, key, {
        at: invocation.at,
        failed,
        durationMs: invocation.durationMs,
        ...(invocation.status === undefined ? {} : { httpStatus: invocation.status }),
        ...(invocation.error === undefined ? {} : { error: text(invocation.error) }),
      })
      if (record && failed) record.failedCalls += 1
    },

    job(event) {
      if (event.type === 'cancelled') return
      const { job } = event
      const key = `job:${job.id}`
      if (event.type === 'started') {
        startRun(job.traceId, key, {
          type: 'run',
          at: job.startedAt ?? Date.now(),
          step: name(job.step),
          trigger: 'event',
          status: 'running',
          durationMs: null,
          jobId: job.id,
          topic: name(job.topic),
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
      const record = endRun(job.traceId, key, { at, failed: true, error: text(toErrorMessage(event.error)), willRetry: event.willRetry })
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
        // A line the runtime logs about a run (the HTTP error handler's) names no step: it belongs to the one running.
        step: clipNull(entry.step ?? str(entry.meta['step']) ?? soleRunning(record), maxNameChars),
        level: entry.level,
        msg: text(entry.msg),
        meta: capture(meta, maxValueChars),
      })
    },

    list(query = {}) {
      const limit = query.limit ?? 50
      const found: TraceSummary[] = []
      let last: TraceRecord | undefined
      for (const record of [...traces.values()].reverse()) {
        if (query.before !== undefined && record.seq >= query.before) continue
        if (query.step && !record.steps.includes(query.step)) continue
        const summary = summarize(record)
        if (query.status && summary.status !== query.status) continue
        if (found.length === limit) return { traces: found, nextCursor: last?.seq ?? null }
        found.push(summary)
        last = record
      }
      return { traces: found, nextCursor: null }
    },

    get(traceId) {
      const record = traces.get(traceId)
      return record ? toTrace(record) : null
    },

    summary(traceId) {
      const record = traces.get(traceId)
      return record ? summarize(record) : null
    },

    onChange: (listener) => changes.listen(listener),
  }
}
