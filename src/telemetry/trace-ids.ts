import { randomFillSync } from 'node:crypto'

const HEX_TRACE_ID = /^[0-9a-f]{32}$/
const ZERO_TRACE_ID = '0'.repeat(32)
const ZERO_SPAN_ID = '0'.repeat(16)

/** The OpenTelemetry trace id our `traceId` stands for: its 32 hex digits (a UUID without dashes), or null when it has none. */
export function toOtelTraceId(traceId: string): string | null {
  const hex = traceId.replaceAll('-', '').toLowerCase()
  return HEX_TRACE_ID.test(hex) && hex !== ZERO_TRACE_ID ? hex : null
}

/** Random trace and span ids in hex. */
export interface TraceIds {
  traceId(): string
  spanId(): string
}

/**
 * Creates ids read from a pool of random bytes refilled 4 KiB at a time (one `randomFillSync` for
 * 512 span ids, where the SDK's generator makes each id digit by digit).
 */
export function createTraceIds(poolBytes = 4_096): TraceIds {
  const pool = Buffer.allocUnsafe(poolBytes)
  let at = poolBytes
  const take = (bytes: number, zero: string): string => {
    for (;;) {
      if (at + bytes > poolBytes) {
        randomFillSync(pool)
        at = 0
      }
      const id = pool.toString('hex', at, at + bytes)
      at += bytes
      if (id !== zero) return id
    }
  }
  return { traceId: () => take(16, ZERO_TRACE_ID), spanId: () => take(8, ZERO_SPAN_ID) }
}
