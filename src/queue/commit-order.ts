import type { JobStore } from './job-store.ts'

/**
 * The order of writes and their commit in a durable store (SQLite), as the dispatcher needs it: no
 * attempt starts while the insert of its job may still be rolled back, and no answer reports what a
 * kill right after it could undo. A store without `durable` (memory) makes both free.
 */
export interface CommitOrder {
  /** True while an enqueue's inserts wait for their commit. */
  readonly insertsWaiting: boolean
  /** Waits for the commit of the inserts an enqueue just wrote; rejects with the error of a failed commit. */
  inserted(): Promise<void>
  /** What `read` returns, once every write it could have seen is committed. */
  committed<T>(read: () => T): Promise<T>
}

/** Creates the commit order of one store. */
export function createCommitOrder(store: JobStore): CommitOrder {
  let insertedGeneration = 0
  let committedGeneration = 0
  return {
    get insertsWaiting() {
      return insertedGeneration !== committedGeneration
    },
    async inserted() {
      if (!store.durable) return
      const generation = ++insertedGeneration
      try {
        await store.durable()
      } finally {
        // Committed, or rolled back: either way no insert of this generation waits for a commit any more.
        if (generation > committedGeneration) committedGeneration = generation
      }
    },
    async committed(read) {
      const result = read()
      await store.durable?.()
      return result
    },
  }
}
