import { DiagLogLevel, diag } from '@opentelemetry/api'
import type { Runtime } from '../runtime/create-runtime.ts'
import { attachTracing } from './attach-tracing.ts'
import type { AppMetrics } from './create-app-metrics.ts'
import { createMetricTally } from './metric-tally.ts'
import type { MetricSnapshot } from './otel-metrics.ts'
import type { OtelSettings } from './otel-settings.ts'
import { createSpanRecorder } from './span-recorder.ts'
import { createSpanSampler } from './span-sampler.ts'
import type { Telemetry } from './start-telemetry.ts'
import { startTelemetryWorker } from './start-telemetry-worker.ts'
import { createTraceIds } from './trace-ids.ts'

/** Nothing to read: the worker asks for snapshots only when metrics are on. */
const noSnapshot = (): Promise<MetricSnapshot> => Promise.reject(new Error('metrics are not exported'))

/**
 * Exports what a runtime does over OTLP/HTTP as the `OTEL_*` variables say. This thread records spans
 * (attachTracing into the span recorder) and counts metrics (metric-tally.ts) with none of the SDK's
 * packages loaded; a worker thread (telemetry-worker.ts) holds the SDK and the exporters, takes the spans
 * in batches and asks for a metric snapshot at each export. Exporter errors go to the runtime's logger as warnings.
 */
export async function startOtel(
  runtime: Runtime,
  metrics: AppMetrics,
  settings: OtelSettings,
  env: Record<string, string | undefined>,
): Promise<Telemetry> {
  const { logger } = runtime
  const warn = (message: string) => logger.warn(`OpenTelemetry export: ${message}`)
  diag.setLogger({ error: warn, warn, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN)
  const interval = Number(env['OTEL_METRIC_EXPORT_INTERVAL'])
  const tally = settings.metrics ? createMetricTally(runtime.queue, metrics.lag, metrics.streamCounts) : null
  const worker = startTelemetryWorker(
    {
      traces: settings.traces,
      metrics: settings.metrics && { protocol: settings.metrics, intervalMillis: Number.isFinite(interval) && interval > 0 ? interval : 60_000 },
    },
    env,
    warn,
    tally ? tally.snapshot : noSnapshot,
  )
  const stopCounting = tally ? metrics.addSink(tally) : () => {}
  const detachTracing = settings.traces
    ? attachTracing(runtime, createSpanRecorder(createTraceIds(), await createSpanSampler(env, warn), worker.send, worker.arrays))
    : () => {}
  let closed: Promise<void> | undefined
  return {
    close() {
      // Spans still open end now and go with the last export; the metrics are read once more during it.
      closed ??= (async () => {
        detachTracing()
        await worker.close()
        stopCounting()
        diag.disable()
      })()
      return closed
    },
  }
}
