import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { JobStatus, Queue } from '../queue/queue.ts'
import type { EventLoopLag } from './event-loop-lag.ts'
import type { AttemptOutcome, MetricSink } from './watch-measurements.ts'

/** Seconds: from a fast handler to the default one-minute timeout. */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/** The statuses of jobs still in the queue (completed and cancelled ones are not). */
const queuedStatuses: readonly JobStatus[] = ['pending', 'running', 'failed', 'dead']

/** The metrics `GET /metrics` serves, in the Prometheus text format. */
export interface PrometheusMetrics extends MetricSink {
  readonly contentType: string
  render(): Promise<string>
}

/**
 * Creates the Prometheus registry (prom-client) of one app: job counters and histograms per step,
 * HTTP request durations, and, read at each scrape, queue depth per step and status and event-loop lag.
 */
export function createPrometheusMetrics(queue: Queue, lag: EventLoopLag): PrometheusMetrics {
  const registry = new Registry()
  const registers = [registry]
  const jobs = (name: string, help: string) => new Counter({ name, help, labelNames: ['step'], registers })
  const started = jobs('motia_jobs_started_total', 'Job attempts started.')
  const completed = jobs('motia_jobs_completed_total', 'Jobs completed.')
  const failed = jobs('motia_jobs_failed_total', 'Job attempts failed (retried or dead).')
  const dead = jobs('motia_jobs_dead_total', 'Jobs moved to the dead-letter queue.')
  const cancelled = jobs('motia_jobs_cancelled_total', 'Jobs cancelled.')
  const attemptDuration = new Histogram({
    name: 'motia_job_attempt_duration_seconds',
    help: 'Duration of job attempts.',
    labelNames: ['step', 'outcome'],
    buckets: durationBuckets,
    registers,
  })
  const queueWait = new Histogram({
    name: 'motia_job_queue_wait_seconds',
    help: 'Time an attempt waited between when it could run and when it started.',
    labelNames: ['step'],
    buckets: durationBuckets,
    registers,
  })
  const requestDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests to API steps.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
    buckets: durationBuckets,
    registers,
  })
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
  const lagGauge = (name: string, help: string, pick: (reading: ReturnType<EventLoopLag['read']>) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(pick(lag.read()) / 1000)
      },
    })
  lagGauge('nodejs_eventloop_delay_p50_seconds', 'Event-loop delay, median of the last window.', (reading) => reading.p50Ms)
  lagGauge('nodejs_eventloop_delay_p99_seconds', 'Event-loop delay, 99th percentile of the last window.', (reading) => reading.p99Ms)
  lagGauge('nodejs_eventloop_delay_max_seconds', 'Event-loop delay, maximum of the last window.', (reading) => reading.maxMs)

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    attemptStarted(step, waitMs) {
      started.inc({ step })
      queueWait.observe({ step }, waitMs / 1000)
    },
    attemptEnded(step, outcome: AttemptOutcome, durationMs) {
      attemptDuration.observe({ step, outcome }, durationMs / 1000)
      if (outcome === 'completed') completed.inc({ step })
      else failed.inc({ step })
      if (outcome === 'dead') dead.inc({ step })
    },
    jobCancelled(step) {
      cancelled.inc({ step })
    },
    requestEnded({ method, route, status, durationMs }) {
      requestDuration.observe({ http_request_method: method, http_route: route, http_response_status_code: status }, durationMs / 1000)
    },
  }
}
