import type { Backend, BackendQueueOptions } from './backend.ts'
import { openMemoryBackend } from './memory/open-memory-backend.ts'
import type { RedisSettings } from './redis/open-redis-backend.ts'

/** Which backend to open: the one place that chooses, and the only importer of a backend's entry file. */
export type BackendChoice =
  | { kind: 'memory' }
  | { kind: 'sqlite'; file: string }
  | ({ kind: 'redis' } & RedisSettings)

/** Opens the chosen backend; SQLite (better-sqlite3) and Redis (ioredis, BullMQ) are loaded only when chosen, as they cost start-up time and memory. */
export async function openBackend(choice: BackendChoice, options: BackendQueueOptions): Promise<Backend> {
  switch (choice.kind) {
    case 'memory':
      return openMemoryBackend(options)
    case 'sqlite': {
      const { openSqliteBackend } = await import('./sqlite/open-sqlite-backend.ts')
      return openSqliteBackend(choice.file, options)
    }
    case 'redis': {
      const { openRedisBackend } = await import('./redis/open-redis-backend.ts')
      const { kind: _, ...settings } = choice
      return openRedisBackend(settings, options)
    }
  }
}

export type { Backend, BackendHealth, BackendQueueOptions } from './backend.ts'
/** The memory backend, opened at once (tests and `createMockContext` need no await). */
export { openMemoryBackend } from './memory/open-memory-backend.ts'
