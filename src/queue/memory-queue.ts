import { createDispatchingQueue } from './dispatcher.ts'
import { createMemoryJobStore } from './memory-job-store.ts'
import type { Queue } from './queue.ts'

/** Options of createMemoryQueue; every field is optional. */
export interface MemoryQueueOptions {
  /** Clock for job timestamps (ms since epoch); default Date.now. */
  now?: () => number
  /** Source of backoff jitter in [0, 1); default Math.random. */
  random?: () => number
  /** How long an idempotency key blocks a duplicate; default 24 h. */
  idempotencyWindowMs?: number
  /** Completed jobs kept for inspection, oldest evicted first; default 10,000. Dead jobs are always kept. */
  keepCompleted?: number
  /** Receives errors that have no caller to reject, such as a throwing onEvent listener. */
  onError?: (error: unknown) => void
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
