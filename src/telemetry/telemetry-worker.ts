import { setPriority } from 'node:os'
import { type MessagePort, parentPort, workerData } from 'node:worker_threads'
import { DiagLogLevel, diag } from '@opentelemetry/api'
import type { Resource } from '@opentelemetry/resources'
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics'
import { createSnapshotProducer } from './metric-producer.ts'
import type { MetricSnapshot } from './otel-metrics.ts'
import { INSTRUMENTATION, toResource } from './otel-resource.ts'
import type { OtlpProtocol } from './otel-settings.ts'
import { createSpanExportQueue, toExportQueueOptions } from './span-export-queue.ts'
import { toPackedSpanExporter } from './span-exporters.ts'
import { copyOutOfShared } from './shared-number-arrays.ts'
import type { SpanBatch } from './span-wire.ts'

/**
 * What the main thread sends: a batch of ended spans (with the index of the shared array its numbers are
 * in, or -1 when they were transferred), the snapshot a collection asked for (or why it could
 * not be read), or the request to flush and shut down.
 */
export type ToTelemetryWorker =
  | { type: 'spans'; batch: SpanBatch; shared: number }
  | { type: 'snapshot'; id: number; snapshot: MetricSnapshot }
  | { type: 'snapshot'; id: number; error: string }
  | { type: 'close' }
/** What the worker sends: an export warning for the runtime's logger, a collection's request for a snapshot, or that it has flushed and shut down. */
export type FromTelemetryWorker = { type: 'warn'; message: string } | { type: 'collect'; id: number } | { type: 'closed' }

/** What the worker is started with (its process.env is the runtime's environment, which the exporters and OTEL_BSP_* are read from). */
export interface TelemetryWorkerData {
  traces: OtlpProtocol | null
  /** Which shared number arrays are held (see shared-number-arrays.ts). */
  held: Int32Array
  metrics: { protocol: OtlpProtocol; intervalMillis: number } | null
}

/**
 * Makes this thread the last to get a busy CPU (nice 19). On Linux a thread's nice value is its own, so
 * the main thread keeps its priority: while requests and jobs take every core, spans wait in the queue
 * (64k of them, then dropped with a warning) instead of slowing the work they describe. Elsewhere, or
 * where it is not allowed, the thread keeps the process's priority.
 */
function lowerPriority(): void {
  if (process.platform !== 'linux') return
  try {
    setPriority(19)
  } catch {
    // Not allowed here: exporting at the process's priority is still correct.
  }
}

async function toMetricExporter(protocol: OtlpProtocol): Promise<PushMetricExporter> {
  if (protocol === 'http/json') return new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter()
  return new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter()
}

/**
 * The SDK's periodic metric export, its one producer reading each collection's snapshot from the main
 * thread (where the measurements are counted, see metric-tally.ts). Returns the provider, whose shutdown
 * collects and exports once more.
 */
async function startMetricExport(
  port: MessagePort,
  settings: NonNullable<TelemetryWorkerData['metrics']>,
  resource: Resource,
): Promise<{ provider: MeterProvider; answer: (message: Extract<ToTelemetryWorker, { type: 'snapshot' }>) => void }> {
  const waiting = new Map<number, { resolve: (snapshot: MetricSnapshot) => void; reject: (error: Error) => void }>()
  let nextId = 0
  const read = () =>
    new Promise<MetricSnapshot>((resolve, reject) => {
      const id = nextId++
      waiting.set(id, { resolve, reject })
      port.postMessage({ type: 'collect', id } satisfies FromTelemetryWorker)
    })
  const reader = new PeriodicExportingMetricReader({
    exporter: await toMetricExporter(settings.protocol),
    exportIntervalMillis: settings.intervalMillis,
    metricProducers: [createSnapshotProducer(read, resource, INSTRUMENTATION)],
  })
  const provider = new MeterProvider({ resource, readers: [reader] })
  return {
    provider,
    answer(message) {
      const collection = waiting.get(message.id)
      waiting.delete(message.id)
      if ('error' in message) collection?.reject(new Error(message.error))
      else collection?.resolve(message.snapshot)
    },
  }
}

/**
 * The export thread. Spans: it queues the batches the main thread packed (see span-export-queue.ts) and, at
 * each export, hands their spans to the exporter of the protocol (span-exporters.ts): for http/protobuf
 * encoded straight from the batches, for http/json rebuilt for the SDK's exporter. Metrics: the SDK's
 * MeterProvider and periodic reader, over snapshots the main thread sends when asked. Its warnings (an
 * export that failed, spans dropped from a full queue) go to the main thread for the runtime's logger.
 */
async function run(): Promise<void> {
  const port = parentPort
  if (!port) return
  const { traces, metrics, held } = workerData as TelemetryWorkerData
  const warn = (message: string) => port.postMessage({ type: 'warn', message } satisfies FromTelemetryWorker)
  lowerPriority()
  diag.setLogger({ error: warn, warn, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN)
  const resource = toResource()
  const queue = traces ? createSpanExportQueue(await toPackedSpanExporter(traces, resource), toExportQueueOptions()) : null
  const metricExport = metrics ? await startMetricExport(port, metrics, resource) : null
  port.on('message', (message: ToTelemetryWorker) => {
    if (message.type === 'spans') {
      // Copied out at once, whether or not it is queued, so the main thread gets the shared array back.
      const batch = message.shared < 0 ? message.batch : copyOutOfShared(message.batch, held, message.shared)
      queue?.add(batch)
      return
    }
    if (message.type === 'snapshot') {
      metricExport?.answer(message)
      return
    }
    Promise.allSettled([queue?.shutdown(), metricExport?.provider.shutdown()])
      .then((results) => {
        for (const result of results) if (result.status === 'rejected') warn(String(result.reason))
      })
      .finally(() => port.postMessage({ type: 'closed' } satisfies FromTelemetryWorker))
  })
}

await run()
