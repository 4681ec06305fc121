import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createMemoryStateStore } from '../src/backends/memory/memory-state.ts'
import { createSqliteStateStore } from '../src/backends/sqlite/sqlite-state.ts'
import type { StateStore } from '../src/state/state-store.ts'
import { openEquivalentWrites } from './equivalent-writes.ts'

/** `memory` is what `--memory` uses; `default` is the SQLite file that `start` uses without it. */
export type StoreKind = 'memory' | 'default'

/** How the fanout step emits its events: each awaited before the next, or all at once. */
export type FanoutMode = 'sequential' | 'together'

/** The baselines of the store scenarios, on the same kind of store the server runs on, in this process. */
export interface Baseline {
  /** For the direct chain: the same state.set the last step makes. */
  store: StateStore
  /** Events per second of the least work `events` fanned-out events need. */
  fanoutRate(run: string, events: number, mode: FanoutMode): Promise<number>
  /** Events (hops) per second of the least work `chains` three-step chains need. */
  chainRate(run: string, chains: number): Promise<number>
  /** What the rates measure, for the table notes. */
  describe: { fanout(mode: FanoutMode): string; chain: string }
  close(): Promise<void>
}

/** The state.set calls of the counting step in a bare loop: all an in-memory event must cost. */
async function stateLoopRate(store: StateStore, group: string, events: number, perEvent: number): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < events; i++) await store.set(group, String(i), { i })
  return (events * perEvent) / ((performance.now() - start) / 1000)
}

/** Opens the baselines of `kind`; SQLite ones write files under `dir`. */
export function openBaseline(kind: StoreKind, dir: string): Baseline {
  if (kind === 'memory') {
    const store = createMemoryStateStore()
    return {
      store,
      fanoutRate: (run, events) => stateLoopRate(store, `fanout-${run}`, events, 1),
      chainRate: (run, chains) => stateLoopRate(store, `chains-${run}`, chains, 3),
      describe: {
        fanout: () => 'the same state.set calls in a bare loop in-process',
        chain: 'the state.set of each chain in a bare loop in-process, counted as 3 events a chain',
      },
      close: () => store.close(),
    }
  }
  mkdirSync(dir, { recursive: true })
  const store = createSqliteStateStore({ file: join(dir, 'baseline.db') })
  const writes = openEquivalentWrites(dir)
  return {
    store,
    // Emitted together, the server commits the jobs of a turn at once; 10 (the default concurrency) a commit is its floor.
    fanoutRate: async (run, events, mode) => writes.rate(run, events, { hops: 1, eventsPerCommit: mode === 'sequential' ? 1 : 10 }),
    chainRate: async (run, chains) => writes.rate(run, chains, { hops: 3, eventsPerCommit: 1 }),
    describe: {
      fanout: (mode) =>
        `bare SQL loop of the same writes (insert, claim, complete a job; one state upsert) committing ${mode === 'sequential' ? 'each event' : '10 events at a time'}`,
      chain: 'bare SQL loop of the same writes (3 jobs inserted, claimed, completed; one state upsert) committing each chain',
    },
    async close() {
      writes.close()
      await store.close()
    },
  }
}
