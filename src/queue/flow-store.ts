/**
 * What flow control remembers between claims, beside the jobs: the recent start times of each rate
 * limit and the paused steps. Synchronous like JobStore, so a durable store writes them in the same
 * commit as the claim they belong to.
 */
import { createStartLog, type StartLog } from './rate-window.ts'

export interface FlowStore {
  /** The start log of (step, key); the same object every call. */
  log(step: string, key: string): StartLog
  /** Records a start in the log of (step, key); a durable store also writes it. */
  recordStart(step: string, key: string, time: number, limit: number, periodMs: number): void
  /** The paused steps, sorted. */
  pausedSteps(): string[]
  setPaused(step: string, paused: boolean): void
}

/** Creates a FlowStore in process memory (the memory backend, and the default of a dispatching queue). */
export function createMemoryFlowStore(): FlowStore {
  const logs = new Map<string, StartLog>()
  const paused = new Set<string>()
  const log = (step: string, key: string): StartLog => {
    const mapKey = `${step}\u0000${key}`
    let found = logs.get(mapKey)
    if (!found) {
      found = createStartLog()
      logs.set(mapKey, found)
    }
    return found
  }
  return {
    log,
    recordStart: (step, key, time, limit, periodMs) => log(step, key).record(time, limit, periodMs),
    pausedSteps: () => Array.from(paused).sort(),
    setPaused(step, isPaused) {
      if (isPaused) paused.add(step)
      else paused.delete(step)
    },
  }
}
