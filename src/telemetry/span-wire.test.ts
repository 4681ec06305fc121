import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { type FlatEvents, KnownKey, ParentMode, readSpanBatch, type SpanBatch, SpanHead, SpanTemplate, SpanWriter, type WireValue } from './span-wire.ts'
import { toSpanIdHex } from './trace-ids.ts'

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01'

/** Writes one span: the head's fields over `fields`, then values, attributes and events. */
function write(writer: SpanWriter, fields: Partial<SpanHead>, values: WireValue[], attributes: WireValue[] | null, events: FlatEvents | null): void {
  const head = Object.assign(new SpanHead(), fields)
  writer.begin(head)
  for (const value of values) writer.value(value)
  writer.end(attributes, events, events?.length ?? 0)
}

const empty: SpanBatch = { count: 0, numbers: new Float64Array(), text: '' }

describe('span batches', () => {
  it('read back every field, the template attributes with their constants, and later attributes over earlier ones', () => {
    const writer = new SpanWriter()
    write(
      writer,
      {
        name: 'ShipOrder',
        kind: SpanKind.CONSUMER,
        trace: traceparent,
        high: 0x12345678,
        low: 0xfedcba98,
        parent: ParentMode.traceparent,
        startTime: 1_764_720_000_123.25,
        endTime: 1_764_720_000_130.5,
        template: SpanTemplate.attempt,
        statusCode: SpanStatusCode.ERROR,
        statusMessage: 'carrier unavailable ü€',
      },
      ['order.checked', 'ShipOrder', 'b1f3-trace', 'job-7', 2, 3],
      [KnownKey['motia.job.outcome'], 'retry', 'error.type', 'Error', 'motia.job.outcome', 'dead', 'custom.flag', true, 'custom.none', null],
      [
        'state.set', 1_764_720_000_125, 2, 'motia.state.group', 'orders', 'motia.state.key', null,
        'exception', 1_764_720_000_129, 2, 'exception.type', 'Error', 'exception.message', 'carrier unavailable ü€',
      ],
    )
    write(
      writer,
      {
        name: 'send order.placed',
        kind: SpanKind.PRODUCER,
        trace: '0af7651916cd43dd8448eb211c80319c',
        high: 1,
        low: 2,
        parent: ParentMode.local,
        parentHigh: 0x12345678,
        parentLow: 0xfedcba98,
        startTime: 1_764_720_000_131,
        endTime: 1_764_720_000_131,
        template: SpanTemplate.emit,
      },
      ['order.placed', 'b1f3-trace', null],
      null,
      null,
    )
    const batch = writer.take()
    expect(batch?.count).toBe(2)
    const [attempt, emit] = readSpanBatch(batch ?? empty)
    expect(attempt).toEqual({
      name: 'ShipOrder',
      kind: SpanKind.CONSUMER,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: toSpanIdHex(0x12345678, 0xfedcba98),
      traceFlags: 1,
      parentSpanId: '00f067aa0ba902b7',
      parentIsRemote: true,
      startTime: 1_764_720_000_123.25,
      endTime: 1_764_720_000_130.5,
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
    expect(emit).toMatchObject({
      name: 'send order.placed',
      kind: SpanKind.PRODUCER,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: toSpanIdHex(1, 2),
      parentSpanId: attempt?.spanId,
      parentIsRemote: false,
      events: [],
      statusMessage: undefined,
    })
    expect(emit?.attributes).toEqual({
      'messaging.system': 'motia',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'order.placed',
      'motia.trace_id': 'b1f3-trace',
    })
  })

  it("name a root's parent as none and a caller's by its hex id", () => {
    const writer = new SpanWriter()
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736'
    write(writer, { name: 'GET /hello', trace, parent: ParentMode.remote, parentId: '00f067aa0ba902b7', template: SpanTemplate.request }, ['Hello', 't', 'GET', '/hello', '/hello'], null, null)
    write(writer, { name: 'Tick', trace, template: SpanTemplate.cron }, ['Tick', 't'], null, null)
    const [request, tick] = readSpanBatch(writer.take() ?? empty)
    expect(request).toMatchObject({ traceId: trace, parentSpanId: '00f067aa0ba902b7', parentIsRemote: true })
    expect(request?.attributes).toMatchObject({ 'http.route': '/hello', 'url.path': '/hello' })
    expect(tick).toMatchObject({ traceId: trace, parentSpanId: '', parentIsRemote: false, attributes: { 'motia.trigger': 'cron', 'motia.step': 'Tick' } })
  })

  it('start afresh after a take, and grow past their first array', () => {
    const writer = new SpanWriter()
    expect(writer.take()).toBeNull()
    for (let index = 0; index < 2_000; index++) {
      write(writer, { name: `span-${index}`, trace: traceparent, high: index, low: 1, parent: ParentMode.traceparent, template: SpanTemplate.attempt }, ['t', 's', 'x', `job-${index}`, 1, 1], null, null)
    }
    const spans = readSpanBatch(writer.take() ?? empty)
    expect(spans.map((span) => span.name)).toEqual(Array.from({ length: 2_000 }, (_, index) => `span-${index}`))
    expect(spans[1_999]?.spanId).toBe(toSpanIdHex(1_999, 1))
    write(writer, { name: 'send order.placed', trace: traceparent, template: SpanTemplate.emit }, ['order.placed', 'x', null], null, null)
    expect(readSpanBatch(writer.take() ?? empty).map((span) => span.name)).toEqual(['send order.placed'])
  })
})
