import { join } from 'node:path'
import { createMemoryStateStore } from '../src/state/memory-state.ts'
import { createSqliteStateStore } from '../src/state/sqlite-state.ts'
import type { StateStore } from '../src/state/state-store.ts'

/** `memory` is what `--memory` uses; `default` is the SQLite file that `start` uses without it. */
export type StoreKind = 'memory' | 'default'

/** The same kind of state store the server runs on, opened in this process for the baselines. */
export function openBaselineStore(kind: StoreKind, dir: string): StateStore {
  return kind === 'memory' ? createMemoryStateStore() : createSqliteStateStore({ file: join(dir, 'baseline.db') })
}
