import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api'
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, type Sampler, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base'
import { describe, expect, it } from 'vitest'
import { createSpanSampler, type ParentRef } from './span-sampler.ts'
import { createTraceIds } from './trace-ids.ts'

const ids = createTraceIds()
const parent = (sampled: boolean): ParentRef => ({ traceId: ids.traceId(), spanId: ids.traceId().slice(0, 16), traceFlags: sampled ? 1 : 0, isRemote: true })
/** A root, and parents sampled or not, from another process or from this one. */
const parents = [null, parent(true), parent(false), { ...parent(true), isRemote: false }, { ...parent(false), isRemote: false }]

/** What the SDK's sampler decides for a span of `traceId` under `from`. */
function sdkDecides(sdk: Sampler, traceId: string, from: ParentRef | null): boolean {
  const context = from ? trace.setSpanContext(ROOT_CONTEXT, from) : ROOT_CONTEXT
  return sdk.shouldSample(context, traceId, 'x', SpanKind.CONSUMER, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED
}

/** How many of `count` root spans, with new random trace ids, the sampler keeps. */
async function rootsSampled(env: Record<string, string>, count = 2_000): Promise<number> {
  const sampler = await createSpanSampler(env, () => {})
  let sampled = 0
  for (let index = 0; index < count; index++) if (sampler.sample(ids.traceId(), null, 'GET /hello', SpanKind.SERVER, undefined)) sampled += 1
  return sampled
}

/** The SDK's own sampler for a constant OTEL_TRACES_SAMPLER value, as its environment reader builds it. */
function sdkSampler(name: 'always_on' | 'always_off' | 'parentbased_always_on' | 'parentbased_always_off'): Sampler {
  if (name === 'always_on') return new AlwaysOnSampler()
  if (name === 'always_off') return new AlwaysOffSampler()
  return new ParentBasedSampler({ root: name === 'parentbased_always_on' ? new AlwaysOnSampler() : new AlwaysOffSampler() })
}

describe('the span sampler', () => {
  it('follows the parent and samples every root by default (parentbased_always_on)', async () => {
    const sampler = await createSpanSampler({}, () => {})
    expect(await rootsSampled({})).toBe(2_000)
    expect(sampler.sample(ids.traceId(), parent(true), 'x', SpanKind.CONSUMER, undefined)).toBe(true)
    expect(sampler.sample(ids.traceId(), parent(false), 'x', SpanKind.CONSUMER, undefined)).toBe(false)
  })

  it('reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG as the SDK does', async () => {
    expect(await rootsSampled({ OTEL_TRACES_SAMPLER: 'always_off' })).toBe(0)
    expect(await rootsSampled({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })).toBe(0)
    const always = await createSpanSampler({ OTEL_TRACES_SAMPLER: 'always_on' }, () => {})
    expect(always.sample(ids.traceId(), parent(false), 'x', SpanKind.CONSUMER, undefined)).toBe(true)
    const ratio = await rootsSampled({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })
    expect(ratio).toBeGreaterThan(350)
    expect(ratio).toBeLessThan(650)
    const parentBasedRatio = await createSpanSampler({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }, () => {})
    expect(parentBasedRatio.sample(ids.traceId(), null, 'x', SpanKind.SERVER, undefined)).toBe(false)
    expect(parentBasedRatio.sample(ids.traceId(), parent(true), 'x', SpanKind.CONSUMER, undefined)).toBe(true)
  })

  it('decides the samplers that need only the parent flags as the SDK does, without asking the SDK per span', async () => {
    const sdkNames = { always_on: 'AlwaysOnSampler', always_off: 'AlwaysOffSampler', parentbased_always_on: 'ParentBased', parentbased_always_off: 'ParentBased' }
    for (const name of Object.keys(sdkNames) as (keyof typeof sdkNames)[]) {
      const sampler = await createSpanSampler({ OTEL_TRACES_SAMPLER: name }, () => {})
      expect(sampler.byParentFlags, name).not.toBeNull()
      expect(sampler.rootSampled, name).not.toBeNull()
      const sdk = sdkSampler(name)
      expect(sdk.toString(), name).toContain(sdkNames[name])
      for (const from of parents) {
        const traceId = ids.traceId()
        expect(sampler.sample(traceId, from, 'x', SpanKind.CONSUMER, undefined), `${name} under ${JSON.stringify(from)}`).toBe(sdkDecides(sdk, traceId, from))
      }
    }
  })

  it('decides parentbased_traceidratio children by the parent flags and roots by the trace id, as the SDK does', async () => {
    const sampler = await createSpanSampler({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }, () => {})
    expect(sampler.byParentFlags).not.toBeNull()
    expect(sampler.rootSampled).toBeNull()
    const sdk = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.5) })
    let roots = 0
    for (let trial = 0; trial < 400; trial++) {
      const traceId = ids.traceId()
      for (const from of parents) {
        const expected = sdkDecides(sdk, traceId, from)
        if (from === null && expected) roots += 1
        expect(sampler.sample(traceId, from, 'x', SpanKind.CONSUMER, undefined), `${traceId} under ${JSON.stringify(from)}`).toBe(expected)
      }
    }
    // Both decisions came up for roots, so the comparison covered each.
    expect(roots).toBeGreaterThan(100)
    expect(roots).toBeLessThan(300)
  })

  it('warns about an unknown sampler or ratio and samples as the default', async () => {
    const warnings: string[] = []
    const sampler = await createSpanSampler({ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, (message) => warnings.push(message))
    expect(sampler.sample(ids.traceId(), null, 'x', SpanKind.SERVER, undefined)).toBe(true)
    expect(sampler.sample(ids.traceId(), parent(false), 'x', SpanKind.CONSUMER, undefined)).toBe(false)
    await createSpanSampler({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }, (message) => warnings.push(message))
    expect(warnings).toEqual([expect.stringContaining('"jaeger_remote"'), expect.stringContaining('"half"')])
  })
})
