/**
 * The meaning of a rate limit on every backend: a sliding log. A start at `time` is allowed while
 * fewer than `limit` starts fall in (time - periodMs, time], so no interval of periodMs ever holds
 * more than `limit` starts, whatever clock an external API counts its own windows by.
 */

/** The recent starts of one rate limit (a step, or a step and a key), oldest first. */
export interface StartLog {
  /** The earliest time at or after `time` that a start is allowed under `limit` per `periodMs`. */
  nextStartAt(limit: number, periodMs: number, time: number): number
  /** Adds a start at `time` (not before the newest) and forgets starts older than the period and beyond the newest `limit`. */
  record(time: number, limit: number, periodMs: number): void
  /** The starts kept, oldest first. */
  times(): number[]
}

/** Creates a log holding `times` (ascending), as read back from storage. */
export function createStartLog(times: readonly number[] = []): StartLog {
  let items = times.slice()
  // Index of the oldest kept start: dropping from the front moves it instead of the array.
  let head = 0
  return {
    nextStartAt(limit, periodMs, time) {
      const size = items.length - head
      if (size < limit) return time
      return Math.max(time, (items[items.length - limit] as number) + periodMs)
    },
    record(time, limit, periodMs) {
      items.push(time)
      head = Math.max(head, items.length - limit)
      const before = time - periodMs
      while (head < items.length && (items[head] as number) <= before) head += 1
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head)
        head = 0
      }
    },
    times: () => items.slice(head),
  }
}
