import { createDispatchingQueue, type DispatcherOptions } from '../../queue/dispatcher.ts'
import { createMemoryJobStore } from './memory-job-store.ts'
import type { Queue } from '../../queue/queue.ts'

/** Options of createMemoryQueue; every field is optional. */
export interface MemoryQueueOptions extends DispatcherOptions {
  /** Completed jobs kept for inspection, oldest evicted first; default 10,000. Dead jobs are always kept. */
  keepCompleted?: number
}

/**
 * Creates an in-process queue: jobs live as long as the process (the `--memory` mode and tests).
 * @example
 * const queue = createMemoryQueue()
 * queue.consume('send-email', { concurrency: 5, timeoutMs: 30_000, fifo: false, backoff: { baseMs: 1000, maxMs: 60_000 } }, handler)
 */
export function createMemoryQueue(options: MemoryQueueOptions = {}): Queue {
  const { keepCompleted, ...dispatcherOptions } = options
  return createDispatchingQueue(createMemoryJobStore({ keepCompleted }), dispatcherOptions)
}
