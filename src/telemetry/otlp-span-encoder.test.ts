import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { describe, expect, it } from 'vitest'
import { INSTRUMENTATION, toResource } from './otel-resource.ts'
import { OtlpSpanEncoder } from './otlp-span-encoder.ts'
import { ExportedSpan } from './span-exporters.ts'
import { createSpanRecorder } from './span-recorder.ts'
import { createSpanSampler } from './span-sampler.ts'
import { type FlatEvents, KnownKey, ParentMode, readSpanBatch, type SpanBatch, SpanHead, SpanReader, SpanTemplate, SpanWriter, type WireValue } from './span-wire.ts'
import { createTraceIds, toTraceText } from './trace-ids.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01'
const resource = toResource().merge(resourceFromAttributes({ 'deployment.environment': 'prüfung €', 'host.cpus': 2, 'x.ratio': 0.5, 'x.flag': true }))
const scope = { name: INSTRUMENTATION }

function write(writer: SpanWriter, fields: Partial<SpanHead>, values: WireValue[], attributes: WireValue[] | null = null, events: FlatEvents | null = null): void {
  writer.begin(Object.assign(new SpanHead(), fields))
  for (const value of values) writer.value(value)
  writer.end(attributes, events, events?.length ?? 0)
}

/** What the SDK's serializer makes of the spans the export worker rebuilt from the batches until now. */
function sdkBytes(batches: SpanBatch[]): string {
  const spans = batches.flatMap((batch) => readSpanBatch(batch).map((span) => new ExportedSpan(span, resource)))
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) ?? []).toString('hex')
}

function encoded(encoder: OtlpSpanEncoder, readers: SpanReader[]): string {
  return Buffer.from(encoder.encode(readers)).toString('hex')
}

/** Batches with every template, parent mode, status, value type, repeats of strings, and spans far over 128 bytes. */
function mixedBatches(): SpanBatch[] {
  const writer = new SpanWriter()
  const batches: SpanBatch[] = []
  for (let round = 0; round < 3; round++) {
    write(
      writer,
      { name: 'POST /orders/:shop', kind: SpanKind.SERVER, trace: TRACE, high: 0x01020304, low: 0xa0b0c0d0 + round, parent: ParentMode.remote, parentId: '00f067aa0ba902b7', startTime: 1_764_720_000_123.456789, endTime: 1_764_720_000_130.5, template: SpanTemplate.request, statusCode: SpanStatusCode.ERROR, statusMessage: 'Bestellung fehlgeschlagen – 注文 😀' },
      ['PlaceOrder', `t-${round}`, 'POST', '/orders/:shop', '/orders/north'],
      [KnownKey['http.response.status_code'], 500, 'custom.negative', -42, 'custom.big', 2 ** 40, 'custom.ratio', 0.25, 'custom.nan', Number.NaN, '42', 'index', '7', 'index too', 'motia.step', 'replaced', 'custom.none', null],
    )
    write(
      writer,
      { name: 'send order.placed', kind: SpanKind.PRODUCER, trace: TRACE, high: 5, low: round, parent: ParentMode.local, parentHigh: 0x01020304, parentLow: 0xa0b0c0d0 + round, startTime: 1_764_720_000_124, endTime: 1_764_720_000_124, template: SpanTemplate.emit },
      ['order.placed', `t-${round}`, round === 1 ? null : 'PlaceOrder'],
    )
    write(
      writer,
      { name: 'CheckOrder', kind: SpanKind.CONSUMER, trace: traceparent, high: 7, low: 8 + round, parent: ParentMode.traceparent, startTime: 1_764_720_000_125.000_000_4, endTime: 1_764_720_000_120, template: SpanTemplate.attempt, statusCode: SpanStatusCode.ERROR, statusMessage: '' },
      ['order.placed', 'CheckOrder', `t-${round}`, `job-${round}`, 1 + round, 3],
      [KnownKey['motia.job.outcome'], 'retry', 'error.type', 'TypeError', KnownKey['motia.job.outcome'], 'dead', KnownKey['motia.job.outcome'], null, 'custom.flag', false],
      [
        'state.set', 1_764_720_000_125.5, 2, KnownKey['motia.state.group'], 'orders', KnownKey['motia.state.key'], null,
        'stream.set', 1_764_720_000_126, 3, KnownKey['motia.stream.name'], 'größe', 'custom.count', 12, 'custom.on', true,
        'exception', 1_764_720_000_127, 3, KnownKey['exception.type'], 'TypeError', KnownKey['exception.message'], 'lone \ud800 surrogate', KnownKey['exception.stacktrace'], 'at x\n'.repeat(4_000),
      ],
    )
    write(writer, { name: 'Tick', kind: SpanKind.INTERNAL, trace: TRACE, high: 9, low: 10 + round, startTime: 1_764_720_000_128, endTime: 1_764_720_000_129, template: SpanTemplate.cron, statusCode: SpanStatusCode.OK }, ['Tick', `t-${round}`])
    write(writer, { name: 'plain', kind: SpanKind.CLIENT, trace: TRACE, high: 11, low: 12, startTime: 1_764_720_000_129, endTime: 1_764_720_000_130, template: SpanTemplate.none }, [], ['only.text', 'x'])
    if (round === 1) batches.push(writer.take() as SpanBatch)
  }
  batches.push(writer.take() as SpanBatch)
  return batches
}

describe('the OTLP span encoder', () => {
  it('writes the bytes the SDK serializer writes for the spans the worker would rebuild', () => {
    const batches = mixedBatches()
    const encoder = new OtlpSpanEncoder(resource, scope)
    expect(encoded(encoder, batches.map((batch) => new SpanReader(batch)))).toBe(sdkBytes(batches))
    // Again with the caches of the first request in place.
    expect(encoded(encoder, batches.map((batch) => new SpanReader(batch)))).toBe(sdkBytes(batches))
  })

  it('encodes the part of a batch an export takes, and the rest in the next one', () => {
    const [first, second] = mixedBatches() as [SpanBatch, SpanBatch]
    const encoder = new OtlpSpanEncoder(resource, scope)
    const rest = new SpanReader(second)
    const front = rest.split(2)
    const spans = [...readSpanBatch(first), ...readSpanBatch(second)].map((span) => new ExportedSpan(span, resource))
    const expected = (from: number, to: number) => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans.slice(from, to)) ?? []).toString('hex')
    expect(encoded(encoder, [new SpanReader(first), front])).toBe(expected(0, first.count + 2))
    expect(encoded(encoder, [rest])).toBe(expected(first.count + 2, spans.length))
    expect(encoded(encoder, [])).toBe('')
  })

  it('carries the trace and parent ids the recorder made, through a traceparent and a caller', async () => {
    const batches: SpanBatch[] = []
    const recorder = createSpanRecorder(createTraceIds(), await createSpanSampler({}, () => {}), (batch) => batches.push(batch))
    const request = recorder.openRemote({ traceId: TRACE, spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true }, 'POST /orders', SpanKind.SERVER)
    const emitted = recorder.instant(request, null, 'send order.placed', SpanKind.PRODUCER, SpanTemplate.emit, ['order.placed', 't-1', 'PlaceOrder'])
    const attempt = recorder.openUnderTraceparent(emitted, TRACE, 'CheckOrder', SpanKind.CONSUMER)
    recorder.addEvent(attempt, 'state.set', KnownKey['motia.state.group'], 'orders', KnownKey['motia.state.key'], 'o-1')
    recorder.close(attempt, 'CheckOrder', SpanKind.CONSUMER, SpanTemplate.attempt, ['order.placed', 'CheckOrder', 't-1', 'job-1', 1, 4], [KnownKey['motia.job.outcome'], 'completed'], null)
    recorder.close(request, 'POST /orders', SpanKind.SERVER, SpanTemplate.request, ['PlaceOrder', 't-1', 'POST', '/orders', '/orders'], null, null)
    recorder.flush()
    const bytes = Buffer.from(new OtlpSpanEncoder(resource, scope).encode(batches.map((batch) => new SpanReader(batch))))
    expect(bytes.toString('hex')).toBe(sdkBytes(batches))
    const emitId = emitted.slice(36, 52)
    const field = (tag: number, hex: string) => Buffer.concat([Buffer.from([tag, hex.length / 2]), Buffer.from(hex, 'hex')])
    const count = (needle: Buffer) => bytes.toString('hex').split(needle.toString('hex')).length - 1
    expect(count(field(0x0a, TRACE))).toBe(3)
    expect(count(field(0x22, '00f067aa0ba902b7'))).toBe(1)
    expect(count(field(0x12, emitId))).toBe(1)
    expect(count(field(0x22, emitId))).toBe(1)
  })

  it('writes the trace id of a root whose trace text is our lowercase UUID trace id, and of its children', async () => {
    const batches: SpanBatch[] = []
    const recorder = createSpanRecorder(createTraceIds(), await createSpanSampler({}, () => {}), (batch) => batches.push(batch))
    const uuid = `${TRACE.slice(0, 8)}-${TRACE.slice(8, 12)}-${TRACE.slice(12, 16)}-${TRACE.slice(16, 20)}-${TRACE.slice(20)}`
    const request = recorder.openRoot(toTraceText(uuid), 'POST /orders', SpanKind.SERVER)
    const emitted = recorder.instant(request, null, 'send order.placed', SpanKind.PRODUCER, SpanTemplate.emit, ['order.placed', uuid, 'PlaceOrder'])
    expect(emitted).toBe(`00-${TRACE}-${emitted.slice(36, 52)}-01`)
    const attempt = recorder.openUnderTraceparent(emitted, uuid, 'CheckOrder', SpanKind.CONSUMER)
    recorder.close(attempt, 'CheckOrder', SpanKind.CONSUMER, SpanTemplate.attempt, ['order.placed', 'CheckOrder', uuid, 'job-1', 1, 4], [KnownKey['motia.job.outcome'], 'completed'], null)
    recorder.close(request, 'POST /orders', SpanKind.SERVER, SpanTemplate.request, ['PlaceOrder', uuid, 'POST', '/orders', '/orders'], null, null)
    recorder.flush()
    const bytes = Buffer.from(new OtlpSpanEncoder(resource, scope).encode(batches.map((batch) => new SpanReader(batch))))
    expect(bytes.toString('hex')).toBe(sdkBytes(batches))
    expect(readSpanBatch(batches[0] as SpanBatch).map((span) => span.traceId)).toEqual([TRACE, TRACE, TRACE])
    const traceField = Buffer.concat([Buffer.from([0x0a, 16]), Buffer.from(TRACE, 'hex')]).toString('hex')
    expect(bytes.toString('hex').split(traceField).length - 1).toBe(3)
  })
})
