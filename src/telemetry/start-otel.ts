import { DiagLogLevel, diag } from '@opentelemetry/api'
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics'
import type { Runtime } from '../runtime/create-runtime.ts'
import { attachTracing } from './attach-tracing.ts'
import type { AppMetrics } from './create-app-metrics.ts'
import { createExplicitHistograms } from './explicit-histograms.ts'
import { createOtelMetricSink } from './otel-metric-sink.ts'
import { INSTRUMENTATION, toResource } from './otel-resource.ts'
import type { OtelSettings, OtlpProtocol } from './otel-settings.ts'
import { startSpanExport } from './span-export.ts'
import { createSpanRecorder } from './span-recorder.ts'
import { createSpanSampler } from './span-sampler.ts'
import type { Telemetry } from './start-telemetry.ts'
import { createTraceIds } from './trace-ids.ts'

async function toMetricExporter(protocol: OtlpProtocol): Promise<PushMetricExporter> {
  if (protocol === 'http/json') return new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter()
  return new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter()
}

/**
 * Exports what a runtime does over OTLP/HTTP as the `OTEL_*` variables say: spans (recorded here by
 * attachTracing, exported by a worker thread, see span-export.ts) and metrics (see createOtelMetricSink).
 * Exporter errors go to the runtime's logger as warnings.
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
  const resource = toResource()
  const closers: Array<() => Promise<void>> = []
  if (settings.traces) {
    const spanExport = startSpanExport(settings.traces, env, warn)
    const recorder = createSpanRecorder(createTraceIds(), createSpanSampler(env, warn), spanExport.send)
    const detach = attachTracing(runtime, recorder)
    closers.push(async () => {
      detach()
      await spanExport.close()
    })
  }
  if (settings.metrics) {
    const interval = Number(env['OTEL_METRIC_EXPORT_INTERVAL'])
    const histograms = createExplicitHistograms(INSTRUMENTATION, resource)
    const reader = new PeriodicExportingMetricReader({
      exporter: await toMetricExporter(settings.metrics),
      exportIntervalMillis: Number.isFinite(interval) && interval > 0 ? interval : 60_000,
      metricProducers: [histograms],
    })
    const provider = new MeterProvider({ resource, readers: [reader] })
    const meter = provider.getMeter(INSTRUMENTATION)
    const stop = metrics.addSink(createOtelMetricSink(meter, histograms, runtime.queue, metrics.lag, metrics.streamCounts))
    closers.push(async () => {
      stop()
      await provider.shutdown()
    })
  }
  let closed: Promise<void> | undefined
  return {
    close() {
      closed ??= Promise.allSettled(closers.map((close) => close())).then(() => diag.disable())
      return closed
    },
  }
}
