import { MotiaError } from '../errors.ts'

/** A value JSON would silently drop or change: the replacer below refuses it. */
class NotJson extends Error {
  constructor(readonly field: string, readonly what: string) {
    super(what)
  }
}

function refuseNonJson(this: unknown, key: string, value: unknown): unknown {
  const type = typeof value
  if (type === 'function' || type === 'symbol') throw new NotJson(key, `a ${type}`)
  if (type === 'number' && !Number.isFinite(value)) throw new NotJson(key, String(value))
  return value
}

/**
 * Serializes a stream item to the JSON every store keeps, or throws naming the item and the fix:
 * functions, symbols, NaN and Infinity are refused rather than dropped, so what a subscriber sees is
 * what the handler wrote.
 */
export function toStreamJson(stream: string, group: string, id: string, item: unknown): string {
  const what = `Item "${id}" of group "${group}" in stream "${stream}"`
  try {
    return JSON.stringify(item, refuseNonJson)
  } catch (error) {
    const detail = error instanceof NotJson ? `holds ${error.what}${error.field ? ` in "${error.field}"` : ''}` : 'cannot be converted to JSON'
    throw new MotiaError('STREAM_ITEM_NOT_JSON', `${what} ${detail}. Store plain JSON data (no functions, cycles, BigInt, NaN or Infinity).`, {
      cause: error,
    })
  }
}
