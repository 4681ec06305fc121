/**
 * Lets the first of a run of identical messages through and holds back repeats for `windowMs`,
 * so an outage that fails the same call every second (a lost Redis connection) logs a few lines, not
 * thousands. The next message let through says how many were held back.
 */
export function createRepeatFilter(windowMs: number, now: () => number = Date.now): (message: string) => { log: boolean; held: number } {
  const seen = new Map<string, { at: number; held: number }>()
  return (message) => {
    const time = now()
    const last = seen.get(message)
    if (last && time - last.at < windowMs) {
      last.held += 1
      return { log: false, held: last.held }
    }
    seen.set(message, { at: time, held: 0 })
    if (seen.size > 100) seen.delete(seen.keys().next().value as string)
    return { log: true, held: last?.held ?? 0 }
  }
}
