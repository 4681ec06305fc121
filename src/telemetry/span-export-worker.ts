import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { DiagLogLevel, diag, type HrTime, type SpanContext } from '@opentelemetry/api'
import { hrTimeDuration, millisToHrTime } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace-base'
import type { OtlpProtocol } from './otel-settings.ts'
import { INSTRUMENTATION, toResource } from './otel-resource.ts'
import { createSpanExportQueue, toExportQueueOptions } from './span-export-queue.ts'
import type { ReadSpan, SpanBatch } from './span-wire.ts'

/** What the main thread sends: a batch of ended spans, or the request to flush and shut down. */
export type ToExportWorker = { type: 'spans'; batch: SpanBatch } | { type: 'close' }
/** What the worker sends back: an export warning for the runtime's logger, or that it has flushed and shut down. */
export type FromExportWorker = { type: 'warn'; message: string } | { type: 'closed' }

/** What the worker is started with (its process.env is the runtime's environment, which the exporter and OTEL_BSP_* are read from). */
export interface ExportWorkerData {
  protocol: OtlpProtocol
}

async function toSpanExporter(protocol: OtlpProtocol): Promise<SpanExporter> {
  if (protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter()
}

const scope = { name: INSTRUMENTATION }

/** A span of a batch as the SDK's processor and exporter read it. */
class ExportedSpan implements ReadableSpan {
  readonly name: string
  readonly kind: ReadableSpan['kind']
  readonly parentSpanContext: SpanContext | undefined
  readonly startTime: HrTime
  readonly endTime: HrTime
  readonly duration: HrTime
  readonly status: ReadableSpan['status']
  readonly attributes: ReadableSpan['attributes']
  readonly events: TimedEvent[]
  readonly links = []
  readonly ended = true
  readonly instrumentationScope = scope
  readonly droppedAttributesCount = 0
  readonly droppedEventsCount = 0
  readonly droppedLinksCount = 0
  private readonly context: SpanContext

  constructor(
    span: ReadSpan,
    readonly resource: Resource,
  ) {
    this.name = span.name
    this.kind = span.kind
    this.context = { traceId: span.traceId, spanId: span.spanId, traceFlags: span.traceFlags }
    this.parentSpanContext =
      span.parentSpanId === '' ? undefined : { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: span.traceFlags, isRemote: span.parentIsRemote }
    this.startTime = millisToHrTime(span.startTime)
    this.endTime = millisToHrTime(Math.max(span.startTime, span.endTime))
    this.duration = hrTimeDuration(this.startTime, this.endTime)
    this.status = span.statusMessage === undefined ? { code: span.statusCode } : { code: span.statusCode, message: span.statusMessage }
    this.attributes = span.attributes
    this.events = span.events.map((event) => ({ name: event.name, time: millisToHrTime(event.time), attributes: event.attributes, droppedAttributesCount: 0 }))
  }

  spanContext(): SpanContext {
    return this.context
  }
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

/**
 * The export thread: queues the batches the main thread packed (see span-export-queue.ts) and, at each
 * export, rebuilds their spans for the SDK's OTLP exporter, so what goes on the wire is the SDK's encoding.
 * Its warnings (an export that failed, spans dropped from a full queue) go to the main thread for the
 * runtime's logger.
 */
async function run(): Promise<void> {
  const port = parentPort
  if (!port) return
  const { protocol } = workerData as ExportWorkerData
  const warn = (message: string) => port.postMessage({ type: 'warn', message } satisfies FromExportWorker)
  lowerPriority()
  diag.setLogger({ error: warn, warn, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN)
  const resource = toResource()
  const queue = createSpanExportQueue(await toSpanExporter(protocol), (span) => new ExportedSpan(span, resource), toExportQueueOptions())
  port.on('message', (message: ToExportWorker) => {
    if (message.type === 'spans') {
      queue.add(message.batch)
      return
    }
    queue
      .shutdown()
      .catch((error: unknown) => warn(String(error)))
      .finally(() => port.postMessage({ type: 'closed' } satisfies FromExportWorker))
  })
}

await run()
