/**
 * The abort side of one attempt. Most handlers never look at an AbortSignal, and an
 * AbortController with its signal costs more to make than the rest of an attempt's bookkeeping, so
 * the signal is made only when something asks for it; `aborted` answers without one.
 */
export class AttemptAbort {
  #controller: AbortController | undefined
  #aborted = false
  #reason: unknown
  readonly #onFail: ((owner: unknown, error: unknown) => void) | undefined
  readonly #owner: unknown
  /**
   * The slot of the span tracing this attempt while it is open (set by attach-tracing.ts), else -1: the
   * attempt's events carry this object and so does its context's origin, so both find the span without a
   * lookup by job id.
   */
  span = -1

  /** `onFail(owner, error)` ends the attempt as failed; one function serves every attempt of a queue. */
  constructor(onFail?: (owner: unknown, error: unknown) => void, owner?: unknown) {
    this.#onFail = onFail
    this.#owner = owner
  }

  /** True once the attempt timed out or was abandoned. */
  get aborted(): boolean {
    return this.#aborted
  }

  /** A signal that aborts with the attempt (already aborted if it has). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  /**
   * Fails the attempt with `error` while it still runs: a context call its handler did not await
   * rejected. Does nothing once the attempt ended.
   */
  fail(error: unknown): void {
    if (this.#aborted) return
    this.#onFail?.(this.#owner, error)
  }

  abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    this.#controller?.abort(reason)
  }
}
