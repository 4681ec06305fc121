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
   * Set when a child's decision needs nothing but its parent's trace flags (always_on, always_off and every
   * parentbased_ sampler): the decision for a child of a parent with these flags. The recorder then builds no
   * ParentRef for it.
   */
  readonly byParentFlags: ((parentFlags: number) => boolean) | null
  /** Set when every root gets the same decision (all but the ratio samplers): the recorder then asks nothing per root. */
  readonly rootSampled: boolean | null
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
 * The samplers whose decision for a child is a function of its parent's trace flags, as the SDK's classes
 * decide: always_on and always_off ignore the parent; a parentbased_ sampler follows it, remote or local (its
 * default delegates), and decides a root by its root sampler: the same for every root, or (a ratio) by the
 * trace id, which the SDK's sampler decides.
 */
const BY_PARENT_FLAGS = new Map<string, { child: (parentFlags: number) => boolean; root: boolean | null }>([
  ['always_on', { child: () => true, root: true }],
  ['always_off', { child: () => false, root: false }],
  ['parentbased_always_on', { child: parentSampled, root: true }],
  ['parentbased_always_off', { child: parentSampled, root: false }],
  ['parentbased_traceidratio', { child: parentSampled, root: null }],
])

/**
 * The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` ask for (default parentbased_always_on), made of the
 * SDK's sampler classes. The default, always_on, always_off and parentbased_always_off are decided here without
 * building a context per span or loading the SDK (BY_PARENT_FLAGS: the same decisions). parentbased_traceidratio
 * decides children so too and asks the SDK's ratio sampler about roots only: asking it about every span built a
 * context per span and cost an unsampled fan-out more than a traced one. traceidratio asks the SDK about every
 * span. A span is exported when the sampler says RECORD_AND_SAMPLED.
 */
export async function createSpanSampler(env: Record<string, string | undefined>, warn: (message: string) => void): Promise<SpanSampler> {
  const name = env['OTEL_TRACES_SAMPLER']?.trim().toLowerCase() || DEFAULT
  const byParent = BY_PARENT_FLAGS.get(name)
  if (byParent && byParent.root !== null) {
    const { child, root } = byParent
    return { sample: (_traceId, parent) => (parent === null ? root : child(parent.traceFlags)), byParentFlags: child, rootSampled: root }
  }
  const sdk = await import('@opentelemetry/sdk-trace-base')
  const sampler = toSdkSampler(sdk, name, env, warn)
  const sdkSample = (traceId: string, parent: ParentRef | null, spanName: string, kind: SpanKind, attributes: Attributes | undefined): boolean => {
    const context = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT
    return sampler.shouldSample(context, traceId, spanName, kind, attributes ?? {}, []).decision === sdk.SamplingDecision.RECORD_AND_SAMPLED
  }
  if (!byParent) return { sample: sdkSample, byParentFlags: null, rootSampled: null }
  const { child } = byParent
  return {
    sample: (traceId, parent, spanName, kind, attributes) => (parent === null ? sdkSample(traceId, null, spanName, kind, attributes) : child(parent.traceFlags)),
    byParentFlags: child,
    rootSampled: null,
  }
}
