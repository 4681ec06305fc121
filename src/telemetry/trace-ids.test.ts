import { defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { describe, expect, it } from 'vitest'
import { createTraceIds, flatTraceId, parseTraceparent, readSpanIdWords, toOtelTraceId, toSpanIdHex, toTraceparent, toTraceText, traceDigitAt, traceIdOf } from './trace-ids.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

describe('parseTraceparent', () => {
  it('reads a caller’s traceparent header as the SDK’s W3C propagator does', () => {
    const propagator = new W3CTraceContextPropagator()
    const headers = [
      `00-${TRACE}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-00`,
      `00-${TRACE}-${SPAN}-03`,
      ` 00-${TRACE}-${SPAN}-01 `,
      `01-${TRACE}-${SPAN}-01-what-comes-later`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `ff-${TRACE}-${SPAN}-01`,
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${TRACE.slice(1)}-${SPAN}-01`,
      `00_${TRACE}_${SPAN}_01`,
      'garbage',
      '',
    ]
    for (const header of headers) {
      const context = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, { traceparent: header }, defaultTextMapGetter))
      const expected = context ? { traceId: context.traceId, spanId: context.spanId, traceFlags: context.traceFlags, isRemote: true } : null
      expect(parseTraceparent(header), JSON.stringify(header)).toEqual(expected)
    }
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true })
    expect(parseTraceparent(undefined)).toBeNull()
  })
})

describe('toTraceText', () => {
  it('keeps a lowercase UUID as it is, reading the same 32 digits toOtelTraceId makes, and converts any other trace id', () => {
    const uuid = '0af76519-16cd-43dd-8448-eb211c80319c'
    expect(toTraceText(uuid)).toBe(uuid)
    expect(traceIdOf(uuid)).toBe(toOtelTraceId(uuid))
    expect(Array.from({ length: 32 }, (_, digit) => String.fromCharCode(traceDigitAt(uuid, digit))).join('')).toBe('0af7651916cd43dd8448eb211c80319c')
    expect(toTraceText('0AF76519-16CD-43DD-8448-EB211C80319C')).toBe('0af7651916cd43dd8448eb211c80319c')
    expect(toTraceText('0af76519-16cd-43dd-8448-eb211c80319g')).toBeNull()
    expect(toTraceText('00000000-0000-0000-0000-000000000000')).toBeNull()
    expect(toTraceText('trace-1')).toBeNull()
  })
})

describe('readSpanIdWords', () => {
  it('reads back the pool words of the span id a traceparent was made with, and the flat trace id of each trace text', () => {
    const ids = createTraceIds()
    const uuid = '4bf92f35-77b3-4da6-a3ce-929d0e0e4736'
    const read = new Float64Array(2)
    for (let span = 0; span < 200; span++) {
      const drawn = ids.drawSpanId()
      const [high, low] = [ids.words[drawn] as number, ids.words[drawn + 1] as number]
      const traceparent = toTraceparent(uuid, high, low, true)
      readSpanIdWords(traceparent, 36, read, 0)
      expect([read[0], read[1]]).toEqual([high, low])
      expect(toSpanIdHex(read[0] as number, read[1] as number)).toBe(traceparent.slice(36, 52))
    }
    // As hexValue reads them: uppercase digits too.
    readSpanIdWords('00F067AA0BA902B7', 0, read, 0)
    expect(toSpanIdHex(read[0] as number, read[1] as number)).toBe('00f067aa0ba902b7')
    for (const trace of [uuid, '4bf92f3577b34da6a3ce929d0e0e4736', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']) {
      expect(flatTraceId(trace)).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    }
  })
})
