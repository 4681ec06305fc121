import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { createSpanRecorder, NO_SPAN } from './span-recorder.ts'
import { createSpanSampler } from './span-sampler.ts'
import { KnownKey, type ReadSpan, readSpanBatch, SpanTemplate } from './span-wire.ts'
import { createTraceIds } from './trace-ids.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

/** A recorder with the sampler `env` asks for, and what it sent, read back after a flush. */
async function recording(env: Record<string, string> = {}) {
  const sent: ReadSpan[] = []
  const recorder = createSpanRecorder(createTraceIds(), await createSpanSampler(env, () => {}), (batch) => sent.push(...readSpanBatch(batch)))
  const flushed = (): ReadSpan[] => {
    recorder.flush()
    return sent
  }
  return { recorder, flushed }
}

/** A request → emit → attempt chain, the attempt under the emit's traceparent as a job carries it. */
async function chain(env: Record<string, string> = {}) {
  const { recorder, flushed } = await recording(env)
  const request = recorder.openRoot(TRACE, 'POST /orders', SpanKind.SERVER)
  const traceparent = recorder.instant(request, null, 'send order.placed', SpanKind.PRODUCER, SpanTemplate.emit, ['order.placed', 't-1', 'PlaceOrder'])
  const attempt = recorder.openUnderTraceparent(traceparent, null, 'CheckOrder', SpanKind.CONSUMER)
  recorder.addEvent(attempt, 'state.set', KnownKey['motia.state.group'], 'orders', 'motia.state.key', 'o-1')
  recorder.close(attempt, 'CheckOrder', SpanKind.CONSUMER, SpanTemplate.attempt, ['order.placed', 'CheckOrder', 't-1', 'job-1', 1, 4], ['motia.job.outcome', 'completed'], null)
  recorder.close(request, 'POST /orders', SpanKind.SERVER, SpanTemplate.request, ['PlaceOrder', 't-1', 'POST', '/orders', '/orders'], null, {
    code: SpanStatusCode.ERROR,
  })
  return { traceparent, spans: flushed() }
}

const byName = (spans: ReadSpan[], name: string): ReadSpan | undefined => spans.find((span) => span.name === name)

describe('the span recorder', () => {
  it('links a request, its emit and the attempt under the emit’s traceparent, in one trace', async () => {
    const { traceparent, spans } = await chain()
    const request = byName(spans, 'POST /orders')
    const emit = byName(spans, 'send order.placed')
    const attempt = byName(spans, 'CheckOrder')
    expect(spans.map((span) => span.name)).toEqual(['send order.placed', 'CheckOrder', 'POST /orders'])
    expect(traceparent).toBe(`00-${TRACE}-${emit?.spanId}-01`)
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([TRACE]))
    expect(request).toMatchObject({ parentSpanId: '', statusCode: SpanStatusCode.ERROR })
    expect(emit).toMatchObject({ parentSpanId: request?.spanId, parentIsRemote: false, kind: SpanKind.PRODUCER })
    expect(emit?.startTime).toBe(emit?.endTime)
    expect(attempt).toMatchObject({ parentSpanId: emit?.spanId, parentIsRemote: true, attributes: { 'motia.job.outcome': 'completed' } })
    expect(attempt?.events).toEqual([{ name: 'state.set', time: expect.any(Number), attributes: { 'motia.state.group': 'orders', 'motia.state.key': 'o-1' } }])
    expect(new Set(spans.map((span) => span.spanId)).size).toBe(3)
    expect(spans.every((span) => /^[0-9a-f]{16}$/.test(span.spanId) && span.spanId !== '0'.repeat(16))).toBe(true)
  })

  it('records nothing of an unsampled trace, and passes flag 00 on to its children', async () => {
    const { traceparent, spans } = await chain({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })
    expect(traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/)
    expect(spans).toEqual([])
  })

  it('samples parentbased_traceidratio roots by their trace id and children by their parent (a sampled parent’s children are kept at ratio 0)', async () => {
    const { spans } = await chain({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })
    expect(spans).toEqual([])
    const { recorder, flushed } = await recording({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })
    const attempt = recorder.openUnderTraceparent(`00-${TRACE}-00f067aa0ba902b7-01`, TRACE, 'ShipOrder', SpanKind.CONSUMER)
    recorder.instant(attempt, null, 'send order.shipped', SpanKind.PRODUCER, SpanTemplate.emit, ['order.shipped', 't-1', 'ShipOrder'])
    recorder.close(attempt, 'ShipOrder', SpanKind.CONSUMER, SpanTemplate.attempt, ['order.checked', 'ShipOrder', 't-1', 'job-2', 1, 1], null, null)
    const [emit, shipped] = flushed()
    expect(shipped).toMatchObject({ traceId: TRACE, parentSpanId: '00f067aa0ba902b7', parentIsRemote: true })
    expect(emit).toMatchObject({ parentSpanId: shipped?.spanId, parentIsRemote: false })
  })

  it('packs an attempt whose job has the traceparent’s trace id with that trace text and its parent’s id, read back as under the traceparent', async () => {
    const { recorder, flushed } = await recording()
    const uuid = `${TRACE.slice(0, 8)}-${TRACE.slice(8, 12)}-${TRACE.slice(12, 16)}-${TRACE.slice(16, 20)}-${TRACE.slice(20)}`
    const traceparent = `00-${TRACE}-00f067aa0ba902b7-01`
    const other = `00-${'0af7651916cd43dd8448eb211c80319c'}-b7ad6b7169203331-01`
    const attempts = [
      recorder.openUnderTraceparent(traceparent, null, 'Under', SpanKind.CONSUMER),
      recorder.openUnderTraceparent(traceparent, uuid, 'Carried', SpanKind.CONSUMER),
      recorder.openUnderTraceparent(traceparent, uuid, 'CarriedAgain', SpanKind.CONSUMER),
      // Another trace id than the job's: the traceparent's wins.
      recorder.openUnderTraceparent(other, uuid, 'Elsewhere', SpanKind.CONSUMER),
    ]
    for (const [index, slot] of attempts.entries()) {
      recorder.close(slot, `attempt-${index}`, SpanKind.CONSUMER, SpanTemplate.attempt, ['order.placed', 'CheckOrder', uuid, `job-${index}`, 1, 4], null, null)
    }
    const parents = flushed().map(({ traceId, parentSpanId, parentIsRemote }) => ({ traceId, parentSpanId, parentIsRemote }))
    expect(parents).toEqual([
      { traceId: TRACE, parentSpanId: '00f067aa0ba902b7', parentIsRemote: true },
      { traceId: TRACE, parentSpanId: '00f067aa0ba902b7', parentIsRemote: true },
      { traceId: TRACE, parentSpanId: '00f067aa0ba902b7', parentIsRemote: true },
      { traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331', parentIsRemote: true },
    ])
  })

  it('gives a root without a trace id a random one, and reuses the slots of ended spans', async () => {
    const { recorder, flushed } = await recording()
    const first = recorder.openRoot(null, 'Tick', SpanKind.INTERNAL)
    recorder.close(first, 'Tick', SpanKind.INTERNAL, SpanTemplate.cron, ['Tick', 't-2'], null, null)
    expect(recorder.openRoot(null, 'Tick', SpanKind.INTERNAL)).toBe(first)
    recorder.instant(NO_SPAN, TRACE, 'send a', SpanKind.PRODUCER, SpanTemplate.emit, ['a', 't-3', null])
    const [tick, emit] = flushed()
    expect(tick?.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(tick?.traceId).not.toBe(TRACE)
    expect(emit).toMatchObject({ traceId: TRACE, parentSpanId: '' })
  })

  it('continues a caller’s span', async () => {
    const { recorder, flushed } = await recording()
    const request = recorder.openRemote({ traceId: TRACE, spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true }, 'GET /hello', SpanKind.SERVER)
    recorder.close(request, 'GET /hello', SpanKind.SERVER, SpanTemplate.request, ['Hello', 't-4', 'GET', '/hello', '/hello'], ['http.response.status_code', 200], null)
    expect(flushed()).toEqual([expect.objectContaining({ traceId: TRACE, parentSpanId: '00f067aa0ba902b7', parentIsRemote: true })])
  })
})
