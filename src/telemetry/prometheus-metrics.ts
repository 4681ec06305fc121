import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Queue } from '../queue/queue.ts'
import type { EventLoopLag } from './event-loop-lag.ts'
import { createMetricTally } from './metric-tally.ts'
import {
  COUNTERS,
  type CounterName,
  DURATION_BUCKETS,
  GAUGES,
  type GaugeName,
  HISTOGRAMS,
  type HistogramName,
  type HistogramPoint,
  type MetricInfo,
  type MetricAttributes,
  type MetricSnapshot,
} from './otel-metrics.ts'
import type { MetricSink, StreamCounts } from './watch-measurements.ts'

/** The metrics `GET /metrics` serves, in the Prometheus text format. */
export interface PrometheusMetrics extends MetricSink {
  readonly contentType: string
  render(): Promise<string>
}

/** How a metric of the snapshot reads in the Prometheus text: its name, and label name by attribute key, in label order. */
interface Naming {
  name: string
  labels: Record<string, string>
}

/** A metric as written: its naming, and its description (otel-metrics.ts) as its help. */
interface Exposed extends Naming {
  help: string
}

const byStep = { 'motia.step': 'step' }

const counters: Record<CounterName, Naming> = {
  'motia.jobs.started': { name: 'motia_jobs_started_total', labels: byStep },
  'motia.jobs.completed': { name: 'motia_jobs_completed_total', labels: byStep },
  'motia.jobs.failed': { name: 'motia_jobs_failed_total', labels: byStep },
  'motia.jobs.dead': { name: 'motia_jobs_dead_total', labels: byStep },
  'motia.jobs.cancelled': { name: 'motia_jobs_cancelled_total', labels: byStep },
  'motia.stream.frames.sent': { name: 'motia_stream_frames_sent_total', labels: { 'motia.stream.name': 'stream' } },
  'motia.stream.frames.received': { name: 'motia_stream_frames_received_total', labels: {} },
}

const gauges: Record<GaugeName, Naming> = {
  'motia.queue.depth': { name: 'motia_queue_depth', labels: { 'motia.step': 'step', 'motia.job.status': 'status' } },
  'nodejs.eventloop.delay.p50': { name: 'nodejs_eventloop_delay_p50_seconds', labels: {} },
  'nodejs.eventloop.delay.p99': { name: 'nodejs_eventloop_delay_p99_seconds', labels: {} },
  'nodejs.eventloop.delay.max': { name: 'nodejs_eventloop_delay_max_seconds', labels: {} },
  'motia.stream.connections': { name: 'motia_stream_connections', labels: {} },
  'motia.stream.subscriptions': { name: 'motia_stream_subscriptions', labels: {} },
}

const histograms: Record<HistogramName, Naming> = {
  'motia.job.attempt.duration': { name: 'motia_job_attempt_duration_seconds', labels: { 'motia.step': 'step', 'motia.job.outcome': 'outcome' } },
  'motia.job.queue_wait': { name: 'motia_job_queue_wait_seconds', labels: byStep },
  'http.server.request.duration': {
    name: 'http_server_request_duration_seconds',
    labels: { 'http.request.method': 'http_request_method', 'http.route': 'http_route', 'http.response.status_code': 'http_response_status_code' },
  },
}

/** The metrics of `namings`, each with the description `infos` gives it, by snapshot name. */
function expose<N extends string>(namings: Record<N, Naming>, infos: Record<N, MetricInfo>): Map<string, Exposed> {
  return new Map(Object.entries<Naming>(namings).map(([name, naming]) => [name, { ...naming, help: infos[name as N].description }]))
}

/** A series' labels, from its attributes. */
function toLabels(exposed: Exposed, attributes: MetricAttributes): Record<string, string | number> {
  const labels: Record<string, string | number> = {}
  for (const [key, label] of Object.entries(exposed.labels)) labels[label] = attributes[key] ?? ''
  return labels
}

/** A metric as prom-client's registry reads it to write it out. */
type WrittenMetric = Awaited<ReturnType<Histogram['get']>>

/**
 * A histogram whose series are the tally's, as they were at the last scrape: prom-client writes them out as it
 * writes its own (cumulative `_bucket` series with `le`, `_sum`, `_count`), but nothing is observed into it.
 */
class TalliedHistogram extends Histogram<string> {
  points: HistogramPoint[] = []

  constructor(private readonly exposed: Exposed) {
    super({ name: exposed.name, help: exposed.help, labelNames: Object.values(exposed.labels), buckets: [...DURATION_BUCKETS], registers: [] })
  }

  /** What the registry writes: it reads this in preference to `get`, as it does of its own histograms. */
  getForPromString(): Promise<WrittenMetric> {
    return Promise.resolve(this.written())
  }

  override get(): Promise<WrittenMetric> {
    return Promise.resolve(this.written())
  }

  private written(): WrittenMetric {
    const { name, help } = this.exposed
    const bucket = `${name}_bucket`
    const values = this.points.flatMap(({ attributes, counts, sum, count }) => {
      const labels = toLabels(this.exposed, attributes)
      let below = 0
      const buckets = DURATION_BUCKETS.map((le, at) => {
        below += counts[at] ?? 0
        return { labels: { ...labels, le }, value: below, metricName: bucket }
      })
      return [
        ...buckets,
        { labels: { ...labels, le: '+Inf' }, value: count, metricName: bucket },
        { labels, value: sum, metricName: `${name}_sum` },
        { labels, value: count, metricName: `${name}_count` },
      ]
    })
    // `type` and `aggregator` as prom-client's Histogram sets them when it is made (its typings declare neither).
    const { type, aggregator } = this as unknown as Pick<WrittenMetric, 'type' | 'aggregator'>
    return { name, help, type, aggregator, collect: () => {}, values }
  }
}

/**
 * The Prometheus registry (prom-client) of one app. What it counts is counted as plain numbers by a metric
 * tally (metric-tally.ts, the one OTLP export reads), and each scrape reads the tally's snapshot into the
 * registry: prom-client labels and hashes a series on every `inc` and `observe`, which cost a scraped fan-out
 * about 2 µs of the server's thread a job. Counters and gauges are prom-client's, set from the snapshot; the
 * histograms are written from the tally's series.
 */
export function createPrometheusMetrics(queue: Queue, lag: EventLoopLag, streams: () => StreamCounts): PrometheusMetrics {
  const tally = createMetricTally(queue, lag, streams)
  const registry = new Registry()
  const registers = [registry]
  const labelled = (exposed: Exposed) => ({ name: exposed.name, help: exposed.help, labelNames: Object.values(exposed.labels), registers })
  const counterOf = new Map([...expose(counters, COUNTERS)].map(([name, exposed]) => [name, { exposed, metric: new Counter(labelled(exposed)) }]))
  const gaugeOf = new Map([...expose(gauges, GAUGES)].map(([name, exposed]) => [name, { exposed, metric: new Gauge(labelled(exposed)) }]))
  const histogramOf = new Map(
    [...expose(histograms, HISTOGRAMS)].map(([name, exposed]) => {
      const metric = new TalliedHistogram(exposed)
      registry.registerMetric(metric)
      return [name, metric]
    }),
  )

  /** Sets every metric from `snapshot`: a labelled counter's series appears with its first count, as prom-client's own do. */
  const read = (snapshot: MetricSnapshot): void => {
    for (const { name, points } of snapshot.counters) {
      const counter = counterOf.get(name)
      if (!counter) continue
      counter.metric.reset()
      for (const { attributes, value } of points) {
        const labels = toLabels(counter.exposed, attributes)
        if (value > 0 || Object.keys(labels).length === 0) counter.metric.inc(labels, value)
      }
    }
    for (const { name, points } of snapshot.gauges) {
      const gauge = gaugeOf.get(name)
      if (!gauge) continue
      gauge.metric.reset()
      for (const { attributes, value } of points) gauge.metric.set(toLabels(gauge.exposed, attributes), value)
    }
    for (const { name, points } of snapshot.histograms) {
      const histogram = histogramOf.get(name)
      if (histogram) histogram.points = points
    }
  }

  return {
    ...tally,
    contentType: registry.contentType,
    async render() {
      read(await tally.snapshot())
      return registry.metrics()
    },
  }
}
