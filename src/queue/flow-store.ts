/**
 * What flow control remembers between claims, beside the jobs: the recent start times of each rate
 * limit and the paused steps. Synchronous like JobStore, so a durable store writes them in the same
 * commit as the claim they belong to.
 */
export interface FlowStore {
  /** Start times recorded for (step, key), oldest first; at most the `keep` newest of the last record call. */
  starts(step: string, key: string): readonly number[]
  /** Records a start at `time` and forgets all but the `keep` newest starts of (step, key). */
  recordStart(step: string, key: string, time: number, keep: number): void
  /** The paused steps, sorted. */
  pausedSteps(): string[]
  setPaused(step: string, paused: boolean): void
}

/** Creates a FlowStore in process memory (the memory backend, and the default of a dispatching queue). */
export function createMemoryFlowStore(): FlowStore {
  const starts = new Map<string, number[]>()
  const paused = new Set<string>()
  const none: readonly number[] = []
  const keyOf = (step: string, key: string): string => `${step}\u0000${key}`
  return {
    starts: (step, key) => starts.get(keyOf(step, key)) ?? none,
    recordStart(step, key, time, keep) {
      const mapKey = keyOf(step, key)
      let times = starts.get(mapKey)
      if (!times) {
        times = []
        starts.set(mapKey, times)
      }
      times.push(time)
      if (times.length > keep) times.splice(0, times.length - keep)
    },
    pausedSteps: () => Array.from(paused).sort(),
    setPaused(step, isPaused) {
      if (isPaused) paused.add(step)
      else paused.delete(step)
    },
  }
}
