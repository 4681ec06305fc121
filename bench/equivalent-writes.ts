import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { createSqliteJobQueries } from '../src/backends/sqlite/sqlite-job-queries.ts'
import { JOBS_SCHEMA, WAIT_READY } from '../src/backends/sqlite/sqlite-job-schema.ts'
import { openDatabase } from '../src/backends/sqlite/open-database.ts'
import { createSqliteStateStore } from '../src/backends/sqlite/sqlite-state.ts'

/**
 * The least SQLite work a durable event costs, as bare statements in a loop: store the job, claim it,
 * mark it completed and write one state entry; the same statements and pragmas the server uses,
 * with no queue, dispatcher, context or HTTP around them.
 */
export interface EquivalentWrites {
  /** Events per second for `events` events (each `hops` jobs deep), committing every `eventsPerCommit` events. */
  rate(run: string, events: number, options: { hops: number; eventsPerCommit: number }): number
  close(): void
}

/** Opens a fresh database file in `dir` with the server's schema. */
export function openEquivalentWrites(dir: string): EquivalentWrites {
  const db = openDatabase(join(dir, 'equivalent.db'))
  db.exec(JOBS_SCHEMA)
  // Creates the `state` table exactly as the server has it; the loop below writes it with bare SQL.
  void createSqliteStateStore({ db }).close()
  const sql = createSqliteJobQueries(db)
  const upsert = db.prepare<[string, string, string, number]>(
    `INSERT INTO state (group_name, key, value, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (group_name, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  )
  const begin = db.prepare('BEGIN IMMEDIATE')
  const commit = db.prepare('COMMIT')

  const job = (step: string, data: string, time: number): void => {
    sql.insert.run(randomUUID(), step, 'bench.tick', data, 'trace', 'pending', 0, 4, null, '[]', null, 0, time, null, null, time, null, WAIT_READY, 0, 0, step, null, null)
    const row = sql.pickAny.get(step)
    if (!row) throw new Error('The equivalent writes lost a job.')
    sql.take.run(time, row.seq)
    sql.update.run('completed', 1, '[]', null, time, time, time, 0, 0, 0, row.seq)
  }

  return {
    rate(run, events, { hops, eventsPerCommit }) {
      const start = performance.now()
      for (let i = 0; i < events; i++) {
        if (i % eventsPerCommit === 0) begin.run()
        const time = Date.now()
        const data = JSON.stringify({ run, i })
        for (let hop = 0; hop < hops; hop++) job(`hop-${hop}`, data, time)
        upsert.run(`equivalent-${run}`, String(i), data, time)
        if ((i + 1) % eventsPerCommit === 0 || i === events - 1) commit.run()
      }
      return (events * hops) / ((performance.now() - start) / 1000)
    },
    close: () => db.close(),
  }
}
