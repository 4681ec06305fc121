import { describe, expect, it } from 'vitest'
import { openDatabase } from './open-database.ts'
import { runJobStoreContract } from '../../queue/job-store.contract.ts'
import { toCreatedJob } from '../../queue/job-transitions.ts'
import { createSqliteJobStore } from './sqlite-job-store.ts'

runJobStoreContract('sqlite job store', () => {
  const db = openDatabase(':memory:')
  const store = createSqliteJobStore(db)
  return {
    store,
    release: () => {
      store.close()
      db.close()
    },
  }
})

describe('sqlite job store', () => {
  it('claims through thousands of delayed jobs without reading them', () => {
    const db = openDatabase(':memory:')
    const store = createSqliteJobStore(db)
    const base = { step: 's', topic: 't', data: null, traceId: 'x', maxRetries: 0 }
    store.transaction(() => {
      for (let index = 0; index < 20_000; index += 1) store.insert(toCreatedJob({ ...base, priority: 9, delayMs: 60_000 }, 1_000), null)
      for (let index = 0; index < 200; index += 1) store.insert(toCreatedJob(base, 1_000), null)
    })
    const started = performance.now()
    for (let index = 0; index < 200; index += 1) expect(store.claimNext('s', 1_000, false)?.priority).toBe(0)
    expect(store.claimNext('s', 1_000, false)).toBeNull()
    // A scan past the delayed jobs would take about a millisecond per claim.
    expect(performance.now() - started).toBeLessThan(100)
    expect(store.claimNext('s', 61_000, false)?.priority).toBe(9)
    store.close()
    db.close()
  })
})
