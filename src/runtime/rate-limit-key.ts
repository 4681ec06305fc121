import type { RateLimitConfig } from '../types.ts'

/** The value of a dotted input field (`customer.id`), or undefined when the path leaves the data. */
function readField(data: unknown, path: readonly string[]): unknown {
  let value = data
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/** Turns a key value into the string that names its limit; a missing value shares the limit of all such jobs. */
const toKeyString = (value: unknown): string => (value === undefined || value === null ? '' : String(value))

/** The function that gives a job's key (of a rate limit, of concurrency per key) from its data, or null when there is no key. */
export function toRateLimitKeyOf(key: RateLimitConfig['key']): ((data: unknown) => string) | null {
  if (key === undefined) return null
  if (typeof key === 'function') return (data) => toKeyString(key(data))
  const path = key.split('.')
  return (data) => toKeyString(readField(data, path))
}
