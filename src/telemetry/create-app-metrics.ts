import type { Runtime } from '../runtime/create-runtime.ts'
import { createEventLoopLag, type EventLoopLag } from './event-loop-lag.ts'
import type { PrometheusMetrics } from './prometheus-metrics.ts'
import { type MetricSink, watchMeasurements } from './watch-measurements.ts'

/** The measurements an app keeps for `GET /metrics`, the health endpoint, the Workbench and OTLP export. */
export interface AppMetrics {
  readonly lag: EventLoopLag
  /** The Prometheus registry, made (and prom-client loaded) on the first call: counting starts with the first scrape. */
  prometheus(): Promise<PrometheusMetrics>
  /** Adds a sink (the Workbench's ring, the OTLP meter) and returns the function that removes it. */
  addSink(sink: MetricSink): () => void
  /** Stops measuring. Idempotent. */
  close(): void
}

/**
 * Measures a runtime's jobs and requests for whoever asks, and the event-loop lag. The runtime's feeds
 * are listened to only while some sink is added, so a server nobody scrapes or watches pays nothing per job.
 */
export function createAppMetrics(runtime: Runtime): AppMetrics {
  const lag = createEventLoopLag()
  const sinks: MetricSink[] = []
  let stopWatching: (() => void) | undefined
  let prometheus: Promise<PrometheusMetrics> | undefined
  let closed = false

  function addSink(sink: MetricSink): () => void {
    sinks.push(sink)
    stopWatching ??= watchMeasurements(runtime, sinks)
    return () => {
      const index = sinks.indexOf(sink)
      if (index >= 0) sinks.splice(index, 1)
      if (sinks.length > 0) return
      stopWatching?.()
      stopWatching = undefined
    }
  }

  return {
    lag,
    addSink,
    prometheus() {
      prometheus ??= import('./prometheus-metrics.ts').then(({ createPrometheusMetrics }) => {
        const metrics = createPrometheusMetrics(runtime.queue, lag)
        if (!closed) addSink(metrics)
        return metrics
      })
      return prometheus
    },
    close() {
      if (closed) return
      closed = true
      stopWatching?.()
      stopWatching = undefined
      sinks.length = 0
      lag.close()
    },
  }
}
