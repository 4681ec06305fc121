/**
 * The meaning of a rate limit on every backend: a sliding log. A start at `time` is allowed while
 * fewer than `limit` starts fall in (time - periodMs, time], so no interval of periodMs ever holds
 * more than `limit` starts, whatever clock an external API counts its own windows by.
 */

/** The earliest time at or after `time` that a start is allowed, given the recorded starts, oldest first. */
export function toNextStartAt(starts: readonly number[], limit: number, periodMs: number, time: number): number {
  if (starts.length < limit) return time
  const oldestCounted = starts[starts.length - limit] as number
  return Math.max(time, oldestCounted + periodMs)
}
