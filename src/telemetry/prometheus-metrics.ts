import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { JobStatus, Queue } from '../queue/queue.ts'
import type { EventLoopLag } from './event-loop-lag.ts'
import { type AttemptOutcome, type MetricSink, perRequestKind, type StreamCounts } from './watch-measurements.ts'

/** Seconds: from a fast handler to the default one-minute timeout. */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/** The statuses of jobs still in the queue (completed and cancelled ones are not). */
const queuedStatuses: readonly JobStatus[] = ['pending', 'running', 'failed', 'dead']

/** The metrics `GET /metrics` serves, in the Prometheus text format. */
export interface PrometheusMetrics extends MetricSink {
  readonly contentType: string
  render(): Promise<string>
}

type Child<T extends { labels(...values: string[]): unknown }> = ReturnType<T['labels']>

/** The labelled series of one step, made once: labelling on every measurement would hash the labels each time. */
interface StepSeries {
  started: Child<Counter>
  completed: Child<Counter>
  failed: Child<Counter>
  dead: Child<Counter>
  cancelled: Child<Counter>
  wait: Child<Histogram>
  durations: Record<AttemptOutcome, Child<Histogram>>
}

/**
 * Creates the Prometheus registry (prom-client) of one app: job counters and histograms per step,
 * HTTP request durations, stream frames per stream, and, read at each scrape, queue depth per step and
 * status, event-loop lag and the open stream connections and subscriptions.
 */
export function createPrometheusMetrics(queue: Queue, lag: EventLoopLag, streams: () => StreamCounts): PrometheusMetrics {
  const registry = new Registry()
  const registers = [registry]
  const jobs = (name: string, help: string) => new Counter({ name, help, labelNames: ['step'], registers })
  const started = jobs('motia_jobs_started_total', 'Job attempts started.')
  const completed = jobs('motia_jobs_completed_total', 'Jobs completed.')
  const failed = jobs('motia_jobs_failed_total', 'Job attempts failed (retried or dead).')
  const dead = jobs('motia_jobs_dead_total', 'Jobs moved to the dead-letter queue.')
  const cancelled = jobs('motia_jobs_cancelled_total', 'Jobs cancelled.')
  const seconds = (name: string, help: string, labelNames: string[]) => new Histogram({ name, help, labelNames, buckets: durationBuckets, registers })
  const attemptDuration = seconds('motia_job_attempt_duration_seconds', 'Duration of job attempts.', ['step', 'outcome'])
  const queueWait = seconds('motia_job_queue_wait_seconds', 'Time an attempt waited between when it could run and when it started.', ['step'])
  const requestDuration = seconds('http_server_request_duration_seconds', 'Duration of HTTP requests to API steps.', [
    'http_request_method',
    'http_route',
    'http_response_status_code',
  ])
  /** The series of each method, route and status, labelled once: prom-client hashes the labels of every labelled call. */
  const requestSeries = perRequestKind((method, route, status) => requestDuration.labels(method, route, String(status)))
  new Gauge({
    name: 'motia_queue_depth',
    help: 'Jobs in the queue per step and status.',
    labelNames: ['step', 'status'],
    registers,
    async collect() {
      const { byStep } = await queue.stats()
      this.reset()
      for (const [step, counts] of Object.entries(byStep)) {
        for (const status of queuedStatuses) this.set({ step, status }, counts[status] ?? 0)
      }
    },
  })
  /** A gauge set from `read` at each scrape. */
  const readGauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read())
      },
    })
  const lagGauge = (name: string, help: string, pick: (reading: ReturnType<EventLoopLag['read']>) => number) =>
    readGauge(name, help, () => pick(lag.read()) / 1000)
  lagGauge('nodejs_eventloop_delay_p50_seconds', 'Event-loop delay, median of the last window.', (reading) => reading.p50Ms)
  lagGauge('nodejs_eventloop_delay_p99_seconds', 'Event-loop delay, 99th percentile of the last window.', (reading) => reading.p99Ms)
  lagGauge('nodejs_eventloop_delay_max_seconds', 'Event-loop delay, maximum of the last window.', (reading) => reading.maxMs)

  readGauge('motia_stream_connections', 'Open stream (WebSocket) connections.', () => streams().connections)
  readGauge('motia_stream_subscriptions', 'Stream subscriptions (joins not left yet) of the open connections.', () => streams().subscriptions)
  const framesSent = new Counter({ name: 'motia_stream_frames_sent_total', help: 'Stream frames sent to clients (changes, syncs, errors).', labelNames: ['stream'], registers })
  const framesReceived = new Counter({ name: 'motia_stream_frames_received_total', help: 'Messages received from stream clients.', registers })
  /** The series of each stream, labelled once. */
  const sentByStream = new Map<string, Child<Counter>>()

  const steps = new Map<string, StepSeries>()
  const seriesOf = (step: string): StepSeries => {
    let series = steps.get(step)
    if (!series) {
      series = {
        started: started.labels(step),
        completed: completed.labels(step),
        failed: failed.labels(step),
        dead: dead.labels(step),
        cancelled: cancelled.labels(step),
        wait: queueWait.labels(step),
        durations: {
          completed: attemptDuration.labels(step, 'completed'),
          failed: attemptDuration.labels(step, 'failed'),
          dead: attemptDuration.labels(step, 'dead'),
        },
      }
      steps.set(step, series)
    }
    return series
  }

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    attemptStarted(step, waitMs) {
      const series = seriesOf(step)
      series.started.inc()
      series.wait.observe(waitMs / 1000)
    },
    attemptEnded(step, outcome, durationMs) {
      const series = seriesOf(step)
      series.durations[outcome].observe(durationMs / 1000)
      if (outcome === 'completed') series.completed.inc()
      else series.failed.inc()
      if (outcome === 'dead') series.dead.inc()
    },
    jobCancelled(step) {
      seriesOf(step).cancelled.inc()
    },
    requestEnded({ method, route, status, durationMs }) {
      requestSeries(method, route, status).observe(durationMs / 1000)
    },
    framesSent(stream, count) {
      let series = sentByStream.get(stream)
      if (!series) {
        series = framesSent.labels(stream)
        sentByStream.set(stream, series)
      }
      series.inc(count)
    },
    framesReceived(count) {
      framesReceived.inc(count)
    },
  }
}
