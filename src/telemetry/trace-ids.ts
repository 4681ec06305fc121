import type { IdGenerator } from '@opentelemetry/sdk-trace-base'

const HEX_TRACE_ID = /^[0-9a-f]{32}$/
const ZERO_TRACE_ID = '0'.repeat(32)

/** The OpenTelemetry trace id our `traceId` stands for: its 32 hex digits (a UUID without dashes), or null when it has none. */
export function toOtelTraceId(traceId: string): string | null {
  const hex = traceId.replaceAll('-', '').toLowerCase()
  return HEX_TRACE_ID.test(hex) && hex !== ZERO_TRACE_ID ? hex : null
}

/** An id generator whose next root span can be given the trace id of our `traceId`. */
export interface RootTraceIds extends IdGenerator {
  /** Runs `start` so that a root span it starts gets the trace id of `traceId` (random when it has none). */
  withRoot<T>(traceId: string, start: () => T): T
}

/** Creates the generator: random ids, except a root span started inside `withRoot`. */
export function createRootTraceIds(random: IdGenerator): RootTraceIds {
  let next: string | null = null
  return {
    generateTraceId: () => next ?? random.generateTraceId(),
    generateSpanId: () => random.generateSpanId(),
    withRoot(traceId, start) {
      next = toOtelTraceId(traceId)
      try {
        return start()
      } finally {
        next = null
      }
    },
  }
}
