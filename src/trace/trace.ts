/**
 * A trace is everything one request, cron tick or outside emit set off, under one traceId: the steps
 * it ran (with durations), their emits, state writes and logs, in the order they happened.
 */

export type RunStatus = 'running' | 'ok' | 'error'

/** A trace is `error` while one of its runs failed (a job waiting for a retry included) and no later attempt succeeded. */
export type TraceStatus = RunStatus

/** One run of a step: an HTTP request, a job attempt or a cron tick. */
export interface TraceRun {
  type: 'run'
  /** When it started, in milliseconds since the epoch. */
  at: number
  /** Milliseconds from the start of the trace. */
  offsetMs: number
  step: string
  trigger: 'api' | 'event' | 'cron'
  status: RunStatus
  /** Null while running. */
  durationMs: number | null
  error?: string
  /** api: the request and the status sent (0 when the client left first). */
  method?: string
  path?: string
  httpStatus?: number
  /** event: the job, its topic and which attempt this is. */
  jobId?: string
  topic?: string
  attempt?: number
  maxAttempts?: number
  /** event: a failed attempt that will be retried. */
  willRetry?: boolean
}

/** An emitted event; `step` is null for an emit from outside (POST /emit). */
export interface TraceEmit {
  type: 'emit'
  at: number
  offsetMs: number
  step: string | null
  topic: string
  /** The event data; the start of its JSON text when `truncated`. */
  data: unknown
  truncated?: true
}

/** A write a handler made to state. */
export interface TraceStateWrite {
  type: 'state'
  at: number
  offsetMs: number
  step: string
  op: 'set' | 'delete' | 'clear'
  group: string
  /** Null for `clear`. */
  key: string | null
}

/** A write (or custom event) a handler made to a stream. */
export interface TraceStreamWrite {
  type: 'stream'
  at: number
  offsetMs: number
  step: string
  op: 'set' | 'delete' | 'send'
  stream: string
  group: string
  /** Null for an event sent to a whole group. */
  id: string | null
}

/** A line a handler (or the runtime, about this trace) logged. */
export interface TraceLog {
  type: 'log'
  at: number
  offsetMs: number
  step: string | null
  level: 'debug' | 'info' | 'warn' | 'error'
  msg: string
  /** The fields logged with the line; the start of their JSON text when `truncated`. */
  meta: unknown
  truncated?: true
}

export type TraceEntry = TraceRun | TraceEmit | TraceStateWrite | TraceStreamWrite | TraceLog

/** What a list of recent traces shows of each. */
export interface TraceSummary {
  traceId: string
  /** What started it: `POST /upload`, `CleanupJobs (cron)`, `emit file.uploaded`. */
  name: string
  status: TraceStatus
  startedAt: number
  updatedAt: number
  /** From the first entry to the end of the last one. */
  durationMs: number
  /** Steps run, in order of their first run. */
  steps: string[]
  counts: { runs: number; emits: number; stateWrites: number; streamWrites: number; logs: number; errors: number }
  /** Entries left out because the trace reached its size limit. */
  dropped: number
}

/** One trace with its ordered timeline. */
export interface Trace extends TraceSummary {
  entries: TraceEntry[]
}
