/** One re-armable timer: fires once at the time it was last set to. */
export interface Alarm {
  /** When it will fire, or null when it is not set. */
  readonly at: number | null
  /** Fires at `at` (ms since epoch, by the alarm's clock) instead of any earlier setting; null clears it. */
  set(at: number | null): void
  /** Whether a set alarm keeps the process alive (default true). */
  hold(held: boolean): void
  clear(): void
}

const maxTimerDelayMs = 2 ** 31 - 1

/** Creates an alarm that calls `fire` with the time it was due; an error thrown by `fire` goes to `onError`. */
export function createAlarm(now: () => number, fire: (due: number) => void, onError: (error: unknown) => void): Alarm {
  let timer: ReturnType<typeof setTimeout> | null = null
  let at: number | null = null
  let held = true

  const ring = (): void => {
    const due = at ?? now()
    timer = null
    at = null
    try {
      fire(due)
    } catch (error) {
      onError(error)
    }
  }

  const clear = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    at = null
  }

  return {
    get at() {
      return at
    },
    set(next) {
      if (next === null) return clear()
      if (timer !== null && at === next) return
      clear()
      at = next
      timer = setTimeout(ring, Math.min(maxTimerDelayMs, Math.max(0, next - now())))
      if (!held) timer.unref()
    },
    hold(next) {
      if (next === held) return
      held = next
      if (timer === null) return
      if (held) timer.ref()
      else timer.unref()
    },
    clear,
  }
}
