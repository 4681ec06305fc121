/** Bounds of the exponential backoff between attempts of a job. */
export interface BackoffOptions {
  baseMs: number
  maxMs: number
}

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based): exponential with equal jitter,
 * so the wait is at least half the exponential step and retries of many jobs spread out.
 * @example toBackoffDelay(3, { baseMs: 100, maxMs: 30_000 }) // between 200 and 400
 */
export function toBackoffDelay(
  attempt: number,
  backoff: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1)
  const step = Math.max(0, Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent))
  return step / 2 + (random() * step) / 2
}
