import type { HrTime, SpanContext } from '@opentelemetry/api'
import { type ExportResult, hrTimeDuration, millisToHrTime } from '@opentelemetry/core'
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base'
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import type { Resource } from '@opentelemetry/resources'
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base'
import type { OtlpProtocol } from './otel-settings.ts'
import { INSTRUMENTATION } from './otel-resource.ts'
import { OtlpSpanEncoder } from './otlp-span-encoder.ts'
import type { PackedSpanExporter, PackedSpans } from './span-export-queue.ts'
import type { ReadSpan } from './span-wire.ts'

const scope = { name: INSTRUMENTATION }

/** A span of a batch as the SDK's processor and exporter read it. */
export class ExportedSpan implements ReadableSpan {
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

/** Reads the packed spans whole and rebuilds each as a ReadableSpan. */
export function toExportedSpans(spans: PackedSpans, resource: Resource): ExportedSpan[] {
  const exported: ExportedSpan[] = []
  for (const reader of spans.readers) while (reader.remaining > 0) exported.push(new ExportedSpan(reader.next(), resource))
  return exported
}

/** http/json: the SDK's exporter, given the spans rebuilt as ReadableSpans. */
async function toJsonExporter(resource: Resource): Promise<PackedSpanExporter> {
  const exporter = new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
  return {
    export: (spans, done) => exporter.export(toExportedSpans(spans, resource), done),
    shutdown: () => exporter.shutdown(),
  }
}

/**
 * http/protobuf: the SDK's OTLP HTTP transport (endpoint, headers, compression, timeout, retries and every
 * OTEL_EXPORTER_OTLP_* setting, read as its OTLPTraceExporter reads them) with a serializer that encodes the
 * packed spans directly (otlp-span-encoder.ts), to the bytes the SDK's own serializer would make.
 */
function toProtobufExporter(resource: Resource): PackedSpanExporter {
  const encoder = new OtlpSpanEncoder(resource, scope)
  const serializer = {
    serializeRequest: (spans: PackedSpans) => encoder.encode(spans.readers),
    deserializeResponse: ProtobufTraceSerializer.deserializeResponse,
  }
  const options = convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' })
  const exporter = new OTLPExporterBase<PackedSpans>(
    createOtlpHttpExportDelegate(options, serializer, 'otlp_http_span_exporter', { name: 'span', countItems: (spans) => spans.count }, undefined),
  )
  return {
    export: (spans: PackedSpans, done: (result: ExportResult) => void) => exporter.export(spans, done),
    shutdown: () => exporter.shutdown(),
  }
}

/** The exporter of the worker's protocol, for the packed spans of its queue. */
export function toPackedSpanExporter(protocol: OtlpProtocol, resource: Resource): Promise<PackedSpanExporter> {
  return protocol === 'http/json' ? toJsonExporter(resource) : Promise.resolve(toProtobufExporter(resource))
}
