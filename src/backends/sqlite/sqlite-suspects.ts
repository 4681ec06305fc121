/**
 * Jobs that were running when the process died: any of them may have killed it. Until each has run
 * once more, they run one at a time with nothing beside them, before other jobs of consumed steps, so
 * a job cut off while running alone is known to have taken the process down and is charged the
 * attempt (see toCutOffJob), and the jobs that merely ran beside it never are.
 */
export interface Suspects {
  /** True while any job is a suspect: only then do claims ask. */
  readonly active: boolean
  /** Remembers a suspect job, by id, with its step and row. */
  add(id: string, step: string, seq: number): void
  /**
   * What a claim for `step` may do while `running` attempts run: take this suspect's row, take
   * nothing (a suspect runs, or waits for the running attempts to end), or claim as usual.
   */
  claim(step: string, running: number): number | 'none' | 'any'
  /** A job's attempt ended (or it changed otherwise): it is no longer a suspect. */
  settled(id: string): void
  /**
   * With the steps that have a consumer: when the dispatcher must look again so a waiting suspect
   * starts (at once, when nothing runs), else null.
   */
  wakeAt(after: number, running: number, consumed: readonly string[]): number | null
}

interface Suspect {
  step: string
  seq: number
}

/** Creates the suspects of one job store; empty after a clean shutdown, so claims then pay one check. */
export function createSuspects(): Suspects {
  const waiting = new Map<string, Suspect>()
  let runningId: string | null = null
  // Unknown until the dispatcher first says which steps it consumes: until then every suspect counts.
  let consumed: ReadonlySet<string> | null = null

  /** True when a waiting suspect belongs to a consumed step: other jobs wait for it. A removed step's suspects hold nothing back. */
  const holdsBack = (): boolean => {
    for (const suspect of waiting.values()) if (!consumed || consumed.has(suspect.step)) return true
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
    claim(step, running) {
      if (runningId !== null) return 'none'
      const mine = firstOf(step)
      if (mine) {
        if (running > 0) return 'none'
        runningId = mine[0]
        waiting.delete(mine[0])
        return mine[1].seq
      }
      return holdsBack() ? 'none' : 'any'
    },
    settled(id) {
      if (runningId === id) runningId = null
      else waiting.delete(id)
    },
    wakeAt(after, running, steps) {
      consumed = new Set(steps)
      return runningId === null && running === 0 && holdsBack() ? after + 1 : null
    },
  }
}
