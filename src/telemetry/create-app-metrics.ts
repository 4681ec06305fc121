import type { Runtime } from '../runtime/create-runtime.ts'
import { createEventLoopLag, type EventLoopLag } from './event-loop-lag.ts'
import type { PrometheusMetrics } from './prometheus-metrics.ts'
import { type MetricSink, type StreamCounts, type StreamSource, watchMeasurements, watchStreamFrames } from './watch-measurements.ts'

/** The measurements an app keeps for `GET /metrics`, the health endpoint, the Workbench and OTLP export. */
export interface AppMetrics {
  readonly lag: EventLoopLag
  /** The Prometheus registry, made (and prom-client loaded) on the first call: counting starts with the first scrape. */
  prometheus(): Promise<PrometheusMetrics>
  /** Adds a sink (the Workbench's ring, the OTLP meter) and returns the function that removes it. */
  addSink(sink: MetricSink): () => void
  /** Measures the stream socket too, once it is attached: its frames while a sink is added, its counts at each read. */
  watchStreams(streams: StreamSource): void
  /** Open stream connections and subscriptions now (none before the socket is attached). */
  streamCounts(): StreamCounts
  /** Stops measuring. Idempotent. */
  close(): void
}

/**
 * Measures a runtime's jobs and requests for whoever asks, the event-loop lag, and the stream socket once
 * it is attached. The runtime's and the socket's feeds are listened to only while some sink is added, so a
 * server nobody scrapes or watches pays nothing per job or frame.
 */
export function createAppMetrics(runtime: Runtime): AppMetrics {
  const lag = createEventLoopLag()
  const sinks: MetricSink[] = []
  let stopWatching: (() => void) | undefined
  let streams: StreamSource | undefined
  let stopFrames: (() => void) | undefined
  let prometheus: Promise<PrometheusMetrics> | undefined
  let closed = false

  function stopListening(): void {
    stopWatching?.()
    stopWatching = undefined
    stopFrames?.()
    stopFrames = undefined
  }

  function addSink(sink: MetricSink): () => void {
    sinks.push(sink)
    stopWatching ??= watchMeasurements(runtime, sinks)
    if (streams) stopFrames ??= watchStreamFrames(streams, sinks)
    return () => {
      const index = sinks.indexOf(sink)
      if (index >= 0) sinks.splice(index, 1)
      if (sinks.length === 0) stopListening()
    }
  }
  const streamCounts = (): StreamCounts => ({ connections: streams?.connections ?? 0, subscriptions: streams?.subscriptions ?? 0 })

  return {
    lag,
    addSink,
    streamCounts,
    watchStreams(source) {
      if (closed) return
      stopFrames?.()
      streams = source
      stopFrames = sinks.length > 0 ? watchStreamFrames(source, sinks) : undefined
    },
    prometheus() {
      prometheus ??= import('./prometheus-metrics.ts').then(({ createPrometheusMetrics }) => {
        const metrics = createPrometheusMetrics(runtime.queue, lag, streamCounts)
        if (!closed) addSink(metrics)
        return metrics
      })
      return prometheus
    },
    close() {
      if (closed) return
      closed = true
      stopListening()
      sinks.length = 0
      lag.close()
    },
  }
}
