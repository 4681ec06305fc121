/** Listeners of one kind of report; reporting costs nothing while there are none. */
export interface Feed<T> {
  readonly active: boolean
  report(item: T): void
  /** Adds a listener and returns the function that removes it. */
  listen(listener: (item: T) => void): () => void
}

/** Creates a feed; `onError` receives what a throwing listener threw, so the reporter never sees it. */
export function createFeed<T>(onError: (error: unknown) => void): Feed<T> {
  const listeners = new Set<(item: T) => void>()
  return {
    get active() {
      return listeners.size > 0
    },
    report(item) {
      for (const listener of listeners) {
        try {
          listener(item)
        } catch (error) {
          onError(error)
        }
      }
    },
    listen(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
  }
}

/** Wraps an error sink for timer and event callbacks, where a throw would crash the process: a failing sink is ignored. */
export function toSafeSink(onError: ((error: unknown) => void) | undefined): (error: unknown) => void {
  return (error) => {
    try {
      onError?.(error)
    } catch {
      // The sink itself failed; there is nowhere left to report to.
    }
  }
}
