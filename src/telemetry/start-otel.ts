import { DiagLogLevel, diag } from '@opentelemetry/api'
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources'
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { Runtime } from '../runtime/create-runtime.ts'
import { attachTracing } from './attach-tracing.ts'
import type { AppMetrics } from './create-app-metrics.ts'
import { createExplicitHistograms } from './explicit-histograms.ts'
import { createOtelMetricSink } from './otel-metric-sink.ts'
import type { OtelSettings, OtlpProtocol } from './otel-settings.ts'
import type { Telemetry } from './start-telemetry.ts'
import { createRootTraceIds } from './trace-ids.ts'

const INSTRUMENTATION = 'motia-like'

/**
 * Batch sizes for a server making thousands of spans a second (a fan-out makes two per event): with the
 * SDK's defaults (a queue of 2,048, batches of 512, one export in flight) most spans of a burst are
 * dropped. A batch of 4,096 serializes in a few milliseconds, and the queue holds 64k spans while one is
 * sent. Left undefined where an `OTEL_BSP_*` variable is set, so the SDK reads it.
 */
function toBatchSizes(env: Record<string, string | undefined>): { maxQueueSize?: number; maxExportBatchSize?: number } {
  const unless = (name: string, size: number) => (env[name]?.trim() ? undefined : size)
  return { maxQueueSize: unless('OTEL_BSP_MAX_QUEUE_SIZE', 65_536), maxExportBatchSize: unless('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 4_096) }
}

async function toSpanExporter(protocol: OtlpProtocol): Promise<SpanExporter> {
  if (protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter()
}

async function toMetricExporter(protocol: OtlpProtocol): Promise<PushMetricExporter> {
  if (protocol === 'http/json') return new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter()
  return new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter()
}

/** The resource: `service.name` motia-like unless `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` say otherwise. */
function toResource(): Resource {
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': INSTRUMENTATION }))
    .merge(detectResources({ detectors: [envDetector] }))
}

/**
 * Exports what a runtime does over OTLP/HTTP as the `OTEL_*` variables say: spans (see attachTracing)
 * and metrics (see createOtelMetricSink). Exporter errors go to the runtime's logger as warnings.
 */
export async function startOtel(
  runtime: Runtime,
  metrics: AppMetrics,
  settings: OtelSettings,
  env: Record<string, string | undefined>,
): Promise<Telemetry> {
  const { logger } = runtime
  diag.setLogger(
    {
      error: (message) => logger.warn(`OpenTelemetry export: ${message}`),
      warn: (message) => logger.warn(`OpenTelemetry export: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  )
  const resource = toResource()
  const closers: Array<() => Promise<void>> = []
  if (settings.traces) {
    const ids = createRootTraceIds(new RandomIdGenerator())
    const provider = new BasicTracerProvider({
      resource,
      idGenerator: ids,
      spanProcessors: [new BatchSpanProcessor(await toSpanExporter(settings.traces), toBatchSizes(env))],
    })
    const detach = attachTracing(runtime, provider.getTracer(INSTRUMENTATION), ids)
    closers.push(async () => {
      detach()
      await provider.shutdown()
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
