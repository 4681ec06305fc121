import { createLocalCronLock } from '../../cron/cron-lock.ts'
import { toErrorMessage } from '../../errors.ts'
import type { Backend, BackendQueueOptions } from '../backend.ts'
import { openDatabase } from './open-database.ts'
import { createSqliteQueue } from './sqlite-queue.ts'
import { createSqliteStateStore } from './sqlite-state.ts'
import { createSqliteStreamStore } from './sqlite-streams.ts'

/** Queue, state and streams in one SQLite database file, which is closed once, after all of them. */
export function openSqliteBackend(file: string, options: BackendQueueOptions): Backend {
  const db = openDatabase(file)
  try {
    return {
      state: createSqliteStateStore({ db }),
      streams: createSqliteStreamStore({ db, onError: options.onError }),
      queue: createSqliteQueue({ db }, options),
      cronLock: createLocalCronLock(),
      store: file,
      async health() {
        try {
          db.prepare('SELECT 1').get()
          return [{ name: 'sqlite', ok: true }]
        } catch (error) {
          return [{ name: 'sqlite', ok: false, error: toErrorMessage(error) }]
        }
      },
      release() {
        if (db.open) db.close()
      },
    }
  } catch (error) {
    db.close()
    throw error
  }
}
