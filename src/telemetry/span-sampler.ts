import { type Attributes, ROOT_CONTEXT, type SpanKind, TraceFlags, trace } from '@opentelemetry/api'
import type { Sampler } from '@opentelemetry/sdk-trace-base'

/** The span a new span is a child of: enough of its context to sample by. */
export interface ParentRef {
  traceId: string
  spanId: string
  traceFlags: number
  isRemote: boolean
}

/** Decides whether a span is recorded and exported (the SAMPLED trace flag its children inherit). */
export interface SpanSampler {
  sample(traceId: string, parent: ParentRef | null, name: string, kind: SpanKind, attributes: Attributes | undefined): boolean
  /**
   * Set when the decision needs nothing but the parent's trace flags: the decision for a child whose parent
   * has these flags (`null`: a root). The recorder then builds no ParentRef.
   */
  readonly byParentFlags: ((parentFlags: number | null) => boolean) | null
}

const DEFAULT = 'parentbased_always_on'

/** The ratio of `OTEL_TRACES_SAMPLER_ARG`: 1 when unset, and 1 with a warning when not a number in [0, 1]. */
function toRatio(env: Record<string, string | undefined>, warn: (message: string) => void): number {
  const arg = env['OTEL_TRACES_SAMPLER_ARG']?.trim()
  if (!arg) return 1
  const ratio = Number(arg)
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio
  warn(`OTEL_TRACES_SAMPLER_ARG is "${arg}", which is not a ratio between 0 and 1; sampling every trace. Set it to a number such as 0.1.`)
  return 1
}

type SdkSamplers = Pick<typeof import('@opentelemetry/sdk-trace-base'), 'AlwaysOffSampler' | 'AlwaysOnSampler' | 'ParentBasedSampler' | 'TraceIdRatioBasedSampler'>

/** The SDK sampler `OTEL_TRACES_SAMPLER` names (and `OTEL_TRACES_SAMPLER_ARG` for the ratio ones), as the SDK builds it. */
function toSdkSampler(sdk: SdkSamplers, name: string, env: Record<string, string | undefined>, warn: (message: string) => void): Sampler {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler()
    case 'always_off':
      return new AlwaysOffSampler()
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(toRatio(env, warn))
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(toRatio(env, warn)) })
    default:
      warn(`OTEL_TRACES_SAMPLER is "${name}", which motia-like does not know; sampling as ${DEFAULT}. Set it to always_on, always_off, traceidratio or a parentbased_ one.`)
      return toSdkSampler(sdk, DEFAULT, env, warn)
  }
}

const parentSampled = (parentFlags: number) => (parentFlags & TraceFlags.SAMPLED) !== 0

/**
 * The samplers whose decision is a function of the parent's trace flags alone (`null`: a root), as the SDK's
 * classes decide: always_on and always_off ignore the parent, a parentbased_ one follows it and decides a root
 * by its name.
 */
const BY_PARENT_FLAGS = new Map<string, (parentFlags: number | null) => boolean>([
  ['always_on', () => true],
  ['always_off', () => false],
  ['parentbased_always_on', (parentFlags) => parentFlags === null || parentSampled(parentFlags)],
  ['parentbased_always_off', (parentFlags) => parentFlags !== null && parentSampled(parentFlags)],
])

/**
 * The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` ask for (default parentbased_always_on), made of the
 * SDK's sampler classes. The default, always_on, always_off and parentbased_always_off are decided here without
 * building a context per span or loading the SDK (BY_PARENT_FLAGS: the same decisions); the others load the SDK's
 * trace package for its classes. A span is exported when the sampler says RECORD_AND_SAMPLED.
 */
export async function createSpanSampler(env: Record<string, string | undefined>, warn: (message: string) => void): Promise<SpanSampler> {
  const name = env['OTEL_TRACES_SAMPLER']?.trim().toLowerCase() || DEFAULT
  const byParentFlags = BY_PARENT_FLAGS.get(name)
  if (byParentFlags) return { sample: (_traceId, parent) => byParentFlags(parent === null ? null : parent.traceFlags), byParentFlags }
  const sdk = await import('@opentelemetry/sdk-trace-base')
  const sampler = toSdkSampler(sdk, name, env, warn)
  return {
    byParentFlags: null,
    sample(traceId, parent, spanName, kind, attributes) {
      const context = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT
      return sampler.shouldSample(context, traceId, spanName, kind, attributes ?? {}, []).decision === sdk.SamplingDecision.RECORD_AND_SAMPLED
    },
  }
}
