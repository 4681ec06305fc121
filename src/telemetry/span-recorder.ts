import { type SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api'
import type { ParentRef, SpanSampler } from './span-sampler.ts'
import { type SpanBatch, type SpanData, type SpanEventData, type SpanTemplate, SpanWriter, type WireValue } from './span-wire.ts'
import type { TraceIds } from './trace-ids.ts'

/** Spans sent at once at most; fewer go when the first of them has waited FLUSH_MS. */
const BATCH_SPANS = 256
/**
 * A fan-out ends a span or two per turn of the event loop, so a batch per turn would be a message per job;
 * spans wait seconds in the export queue anyway (OTEL_BSP_SCHEDULE_DELAY), so a few milliseconds here cost nothing.
 */
const FLUSH_MS = 10

const noAttributes: WireValue[] = []

const now = (): number => performance.timeOrigin + performance.now()

/** A span being recorded: a plain record, packed for the export worker when it ends (when sampled). */
export class RecordedSpan implements SpanData, ParentRef {
  readonly isRemote = false
  parentIsRemote = false
  parentSpanId = ''
  endTime = 0
  /** Made by the first setAttribute: most spans end with one attribute or none. */
  attributes: WireValue[] = noAttributes
  events: SpanEventData[] | null = null
  statusCode: number = SpanStatusCode.UNSET
  statusMessage: string | undefined = undefined

  constructor(
    readonly name: string,
    readonly kind: SpanKind,
    readonly template: SpanTemplate,
    readonly values: WireValue[],
    readonly traceId: string,
    readonly spanId: string,
    readonly traceFlags: number,
    readonly startTime: number,
  ) {}

  /** The W3C traceparent of this span (version 00). */
  traceparent(): string {
    return `00-${this.traceId}-${this.spanId}-${this.traceFlags === TraceFlags.SAMPLED ? '01' : '00'}`
  }

  setAttribute(key: string, value: WireValue): void {
    if (this.traceFlags !== TraceFlags.SAMPLED) return
    if (this.attributes === noAttributes) this.attributes = [key, value]
    else this.attributes.push(key, value)
  }

  /** An event now, with attributes as key, value, key, value... */
  addEvent(name: string, attributes: WireValue[]): void {
    if (this.traceFlags !== TraceFlags.SAMPLED) return
    const event = { name, time: now(), attributes }
    if (this.events === null) this.events = [event]
    else this.events.push(event)
  }

  setStatus(code: SpanStatusCode, message?: string): void {
    this.statusCode = code
    this.statusMessage = message
  }

  /** The `exception` event the SDK's recordException adds. */
  recordException(error: Error & { code?: unknown }): void {
    const type = error.code ? String(error.code) : error.name || null
    this.addEvent('exception', ['exception.type', type, 'exception.message', error.message || null, 'exception.stacktrace', error.stack || null])
  }
}

/** Starts spans and sends the ended ones on, packed, in batches. */
export interface SpanRecorder {
  /** Starts a span under `parent`, or a root span of `rootTraceId` (a random trace id when null). */
  start(name: string, kind: SpanKind, template: SpanTemplate, values: WireValue[], parent: ParentRef | null, rootTraceId: string | null): RecordedSpan
  end(span: RecordedSpan): void
  /** Sends what is written now rather than at the end of the turn. */
  flush(): void
}

/**
 * Records spans as plain records and packs each ended, sampled one (see span-wire.ts); `send` gets a batch
 * every 256 spans, or 10 ms after the first span of a smaller one. The cost per span on this thread is two ids,
 * two clock reads and the packing; the SDK's spans, their processor and the OTLP encoding live in the worker.
 */
export function createSpanRecorder(ids: TraceIds, sampler: SpanSampler, send: (batch: SpanBatch) => void): SpanRecorder {
  const writer = new SpanWriter()
  let scheduled: NodeJS.Timeout | undefined
  const flush = (): void => {
    if (scheduled) clearTimeout(scheduled)
    scheduled = undefined
    const batch = writer.take()
    if (batch) send(batch)
  }
  return {
    start(name, kind, template, values, parent, rootTraceId) {
      const traceId = parent ? parent.traceId : (rootTraceId ?? ids.traceId())
      const sampled = sampler.sample(traceId, parent, name, kind, undefined)
      const span = new RecordedSpan(name, kind, template, values, traceId, ids.spanId(), sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, now())
      if (parent) {
        span.parentSpanId = parent.spanId
        span.parentIsRemote = parent.isRemote
      }
      return span
    },
    end(span) {
      if (span.endTime !== 0) return
      span.endTime = now()
      if (span.traceFlags !== TraceFlags.SAMPLED) return
      writer.write(span)
      if (writer.count >= BATCH_SPANS) flush()
      else scheduled ??= setTimeout(flush, FLUSH_MS).unref()
    },
    flush,
  }
}
