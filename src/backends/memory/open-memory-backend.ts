import { createLocalCronLock } from '../../cron/cron-lock.ts'
import type { Backend, BackendQueueOptions } from '../backend.ts'
import { createMemoryQueue } from './memory-queue.ts'
import { createMemoryStateStore } from './memory-state.ts'
import { createMemoryStreamStore } from './memory-streams.ts'

/** Queue, state and streams in this process: they live as long as it does (`--memory`, tests). */
export function openMemoryBackend(options: Partial<BackendQueueOptions> = {}): Backend {
  const { keepCompleted, closeGraceMs, onError } = options
  return {
    queue: createMemoryQueue({ keepCompleted, closeGraceMs, onError }),
    state: createMemoryStateStore(),
    streams: createMemoryStreamStore({ onError }),
    cronLock: createLocalCronLock(),
    store: 'memory (--memory)',
    health: async () => [{ name: 'memory', ok: true }],
    release() {},
  }
}
