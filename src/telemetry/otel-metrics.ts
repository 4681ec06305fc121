/**
 * The OTLP metrics: their names (as `GET /metrics` names them, `motia.jobs.started` is
 * `motia_jobs_started_total` there), descriptions and units, and the snapshot of their values the main
 * thread hands the export worker at each collection. No OpenTelemetry package is imported here, so the
 * main thread loads none for its metrics.
 */

/** A metric's text, as exported. */
export interface MetricInfo {
  description: string
  unit: string
}

/** Cumulative, monotonic counts (OTLP sums). */
export const COUNTERS = {
  'motia.jobs.started': { description: 'Job attempts started.', unit: '{job}' },
  'motia.jobs.completed': { description: 'Jobs completed.', unit: '{job}' },
  'motia.jobs.failed': { description: 'Job attempts failed (retried or dead).', unit: '{job}' },
  'motia.jobs.dead': { description: 'Jobs moved to the dead-letter queue.', unit: '{job}' },
  'motia.jobs.cancelled': { description: 'Jobs cancelled.', unit: '{job}' },
  'motia.stream.frames.sent': { description: 'Stream frames sent to clients (changes, syncs, errors).', unit: '{frame}' },
  'motia.stream.frames.received': { description: 'Messages received from stream clients.', unit: '{frame}' },
} as const satisfies Record<string, MetricInfo>

/** Values read at each collection (OTLP gauges). */
export const GAUGES = {
  'motia.queue.depth': { description: 'Jobs in the queue per step and status.', unit: '{job}' },
  'nodejs.eventloop.delay.p50': { description: 'Event-loop delay, median of the last window.', unit: 's' },
  'nodejs.eventloop.delay.p99': { description: 'Event-loop delay, 99th percentile of the last window.', unit: 's' },
  'nodejs.eventloop.delay.max': { description: 'Event-loop delay, maximum of the last window.', unit: 's' },
  'motia.stream.connections': { description: 'Open stream (WebSocket) connections.', unit: '{connection}' },
  'motia.stream.subscriptions': { description: 'Stream subscriptions (joins not left yet) of the open connections.', unit: '{subscription}' },
} as const satisfies Record<string, MetricInfo>

/** Cumulative histograms with DURATION_BUCKETS as their explicit bucket boundaries. */
export const HISTOGRAMS = {
  'motia.job.attempt.duration': { description: 'Duration of job attempts.', unit: 's' },
  'motia.job.queue_wait': { description: 'Time an attempt waited between when it could run and when it started.', unit: 's' },
  'http.server.request.duration': { description: 'Duration of HTTP requests to API steps.', unit: 's' },
} as const satisfies Record<string, MetricInfo>

/** The upper bounds, in seconds, of the duration histograms' buckets (the last bucket is unbounded). */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

export type CounterName = keyof typeof COUNTERS
export type GaugeName = keyof typeof GAUGES
export type HistogramName = keyof typeof HISTOGRAMS

/** The attributes of one series. */
export type MetricAttributes = Record<string, string | number>

/** One series of a counter or gauge. */
export interface ValuePoint {
  attributes: MetricAttributes
  value: number
}

/** One series of a histogram: its bucket counts (one more than the boundaries), sum, count and extremes. */
export interface HistogramPoint {
  attributes: MetricAttributes
  counts: number[]
  sum: number
  count: number
  min: number
  max: number
}

/** The values of every metric at one moment: structured-clonable, so it crosses to the worker as a message. */
export interface MetricSnapshot {
  /** When the cumulative series started and when they were read, in milliseconds since the epoch. */
  startTime: number
  time: number
  counters: Array<{ name: CounterName; points: ValuePoint[] }>
  gauges: Array<{ name: GaugeName; points: ValuePoint[] }>
  histograms: Array<{ name: HistogramName; points: HistogramPoint[] }>
}
