import type { Runtime } from '../runtime/create-runtime.ts'
import { createEventLoopLag, type EventLoopLag } from './event-loop-lag.ts'
import { createPrometheusMetrics, type PrometheusMetrics } from './prometheus-metrics.ts'
import { type MetricSink, watchMeasurements } from './watch-measurements.ts'

/** The measurements an app keeps for `GET /metrics`, the health endpoint and the Workbench. */
export interface AppMetrics {
  readonly lag: EventLoopLag
  readonly prometheus: PrometheusMetrics
  /** Adds a sink (the Workbench's ring) and returns the function that removes it. */
  addSink(sink: MetricSink): () => void
  /** Stops measuring. Idempotent. */
  close(): void
}

/** Starts measuring a runtime's jobs and requests, and the event-loop lag. */
export function createAppMetrics(runtime: Runtime): AppMetrics {
  const lag = createEventLoopLag()
  const prometheus = createPrometheusMetrics(runtime.queue, lag)
  const sinks: MetricSink[] = [prometheus]
  const stop = watchMeasurements(runtime, sinks)
  let closed = false
  return {
    lag,
    prometheus,
    addSink(sink) {
      sinks.push(sink)
      return () => {
        const index = sinks.indexOf(sink)
        if (index >= 0) sinks.splice(index, 1)
      }
    },
    close() {
      if (closed) return
      closed = true
      stop()
      lag.close()
    },
  }
}
