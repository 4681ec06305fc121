import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { readSpanBatch, type SpanData, SpanTemplate, SpanWriter } from './span-wire.ts'

const attempt: SpanData = {
  name: 'ShipOrder',
  kind: SpanKind.CONSUMER,
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
  parentSpanId: '00f067aa0ba902b7',
  parentIsRemote: true,
  startTime: 1_764_720_000_123.25,
  endTime: 1_764_720_000_130.5,
  template: SpanTemplate.attempt,
  values: ['order.checked', 'ShipOrder', 'b1f3-trace', 'job-7', 2, 3],
  attributes: ['motia.job.outcome', 'retry', 'error.type', 'Error', 'motia.job.outcome', 'dead', 'custom.flag', true, 'custom.none', null],
  events: [
    { name: 'state.set', time: 1_764_720_000_125, attributes: ['motia.state.group', 'orders', 'motia.state.key', null] },
    { name: 'exception', time: 1_764_720_000_129, attributes: ['exception.type', 'Error', 'exception.message', 'carrier unavailable ü€'] },
  ],
  statusCode: SpanStatusCode.ERROR,
  statusMessage: 'carrier unavailable ü€',
}

const emit: SpanData = {
  ...attempt,
  name: 'send order.placed',
  kind: SpanKind.PRODUCER,
  spanId: '53995c3f42cd8ad8',
  parentSpanId: '',
  parentIsRemote: false,
  traceFlags: 1,
  template: SpanTemplate.emit,
  values: ['order.placed', 'b1f3-trace', null],
  attributes: [],
  events: null,
  statusCode: SpanStatusCode.UNSET,
  statusMessage: undefined,
}

describe('span batches', () => {
  it('read back every field, the template attributes with their constants, and later attributes over earlier ones', () => {
    const writer = new SpanWriter()
    writer.write(attempt)
    writer.write(emit)
    const batch = writer.take()
    expect(batch?.count).toBe(2)
    const [readAttempt, readEmit] = readSpanBatch(batch ?? { count: 0, numbers: new Float64Array(), text: '' })
    expect(readAttempt).toEqual({
      name: 'ShipOrder',
      kind: SpanKind.CONSUMER,
      traceId: attempt.traceId,
      spanId: attempt.spanId,
      traceFlags: 1,
      parentSpanId: attempt.parentSpanId,
      parentIsRemote: true,
      startTime: attempt.startTime,
      endTime: attempt.endTime,
      statusCode: SpanStatusCode.ERROR,
      statusMessage: 'carrier unavailable ü€',
      attributes: {
        'messaging.system': 'motia',
        'messaging.operation.type': 'process',
        'messaging.destination.name': 'order.checked',
        'motia.step': 'ShipOrder',
        'motia.trace_id': 'b1f3-trace',
        'motia.job.id': 'job-7',
        'motia.job.attempt': 2,
        'motia.job.max_attempts': 3,
        'motia.job.outcome': 'dead',
        'error.type': 'Error',
        'custom.flag': true,
      },
      events: [
        { name: 'state.set', time: 1_764_720_000_125, attributes: { 'motia.state.group': 'orders' } },
        { name: 'exception', time: 1_764_720_000_129, attributes: { 'exception.type': 'Error', 'exception.message': 'carrier unavailable ü€' } },
      ],
    })
    expect(readEmit).toMatchObject({ name: 'send order.placed', kind: SpanKind.PRODUCER, parentSpanId: '', parentIsRemote: false, events: [], statusMessage: undefined })
    expect(readEmit?.attributes).toEqual({
      'messaging.system': 'motia',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'order.placed',
      'motia.trace_id': 'b1f3-trace',
    })
  })

  it('start afresh after a take, and grow past their first array', () => {
    const writer = new SpanWriter()
    expect(writer.take()).toBeNull()
    const many = Array.from({ length: 2_000 }, (_, index) => ({ ...attempt, spanId: index.toString(16).padStart(16, '0') }))
    for (const span of many) writer.write(span)
    const spans = readSpanBatch(writer.take() ?? { count: 0, numbers: new Float64Array(), text: '' })
    expect(spans.map((span) => span.spanId)).toEqual(many.map((span) => span.spanId))
    writer.write(emit)
    expect(readSpanBatch(writer.take() ?? { count: 0, numbers: new Float64Array(), text: '' }).map((span) => span.name)).toEqual(['send order.placed'])
  })
})
