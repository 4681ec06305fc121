/**
 * Jobs that were running when the process died: any of them may have killed it. Until each has run
 * once more, they run one at a time with nothing beside them, before any other job, so a job cut off
 * while running alone is known to have taken the process down and is charged the attempt (see
 * toCutOffJob), and the jobs that merely ran beside it never are.
 */
export interface Suspects {
  /** True while any job is a suspect: only then do claims ask. */
  readonly active: boolean
  /** Remembers a suspect job, by id, with its step and row. */
  add(id: string, step: string, seq: number): void
  /**
   * What a claim for `step` at `now` may do while `running` attempts run: take this suspect's row,
   * take nothing (a suspect runs, or waits for the running attempts to end), or claim as usual.
   */
  claim(step: string, now: number, running: number): number | 'none' | 'any'
  /** A job's attempt ended (or it was claimed away): it is no longer a suspect. */
  settled(id: string): void
  /** When the dispatcher must look again so a waiting suspect starts: at once when nothing runs, else null. */
  wakeAt(after: number, running: number): number | null
}

interface Suspect {
  step: string
  seq: number
}

/** Steps whose claims stopped for this long have no consumer any more: their suspects no longer hold others back. */
const UNCLAIMED_MS = 1_000

/** Creates the suspects of one job store; empty after a clean shutdown, so claims then pay one size check. */
export function createSuspects(): Suspects {
  const waiting = new Map<string, Suspect>()
  let runningId: string | null = null
  /** When each step last asked for a job, so suspects of a step nobody consumes hold nothing back. */
  const askedAt = new Map<string, number>()

  const holdsBack = (now: number): boolean => {
    for (const suspect of waiting.values()) {
      if (now - (askedAt.get(suspect.step) ?? -Infinity) <= UNCLAIMED_MS) return true
    }
    return false
  }

  const firstOf = (step: string): [string, Suspect] | undefined => {
    let first: [string, Suspect] | undefined
    for (const entry of waiting) if (entry[1].step === step && (!first || entry[1].seq < first[1].seq)) first = entry
    return first
  }

  return {
    get active() {
      return runningId !== null || waiting.size > 0
    },
    add(id, step, seq) {
      waiting.set(id, { step, seq })
    },
    claim(step, now, running) {
      askedAt.set(step, now)
      if (runningId !== null) return 'none'
      const mine = firstOf(step)
      if (mine) {
        if (running > 0) return 'none'
        runningId = mine[0]
        waiting.delete(mine[0])
        return mine[1].seq
      }
      return holdsBack(now) ? 'none' : 'any'
    },
    settled(id) {
      if (runningId === id) runningId = null
      else waiting.delete(id)
    },
    wakeAt(after, running) {
      return runningId === null && running === 0 && waiting.size > 0 && holdsBack(after) ? after + 1 : null
    },
  }
}
