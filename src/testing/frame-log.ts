/** Frames as they arrive, and a wait for the first one that matches: what a test reads from a stream. */
export interface FrameLog<T> {
  readonly frames: T[]
  push(frame: T): void
  /** Resolves with the first frame (from the start) that matches; rejects with `onTimeout`'s error after `timeoutMs`. */
  next(match: (frame: T) => boolean, timeoutMs: number): Promise<T>
}

/** Creates an empty frame log; `onTimeout` says what a wait that found nothing in time reports. */
export function createFrameLog<T>(onTimeout: (timeoutMs: number, frames: T[]) => Error): FrameLog<T> {
  const frames: T[] = []
  const waiters = new Set<() => void>()
  return {
    frames,
    push(frame) {
      frames.push(frame)
      for (const wake of waiters) wake()
    },
    next(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = frames.find(match)
          if (found === undefined) return false
          clearTimeout(timer)
          waiters.delete(wake)
          resolve(found)
          return true
        }
        const wake = (): void => void check()
        const timer = setTimeout(() => {
          waiters.delete(wake)
          reject(onTimeout(timeoutMs, frames))
        }, timeoutMs)
        if (!check()) waiters.add(wake)
      })
    },
  }
}
