import { createFeed, type Feed } from '../feed.ts'
import type { JobEvent } from './queue.ts'

export type JobEventType = JobEvent['type']

/** The listeners of a queue's job events, by type: an event nobody asked for is never built. */
export interface JobEvents {
  /** True when some listener wants events of this type. */
  wants(type: JobEventType): boolean
  report(event: JobEvent): void
  /** Adds a listener for the given types (default: all) and returns the function that removes it. */
  listen(listener: (event: JobEvent) => void, types?: readonly JobEventType[]): () => void
}

const allTypes: readonly JobEventType[] = ['started', 'completed', 'failed', 'cancelled']

/** Creates the job events of one queue; a throwing listener's error goes to `onError`. */
export function createJobEvents(onError: (error: unknown) => void): JobEvents {
  const feeds: Record<JobEventType, Feed<JobEvent>> = {
    started: createFeed(onError),
    completed: createFeed(onError),
    failed: createFeed(onError),
    cancelled: createFeed(onError),
  }
  return {
    wants: (type) => feeds[type].active,
    report: (event) => feeds[event.type].report(event),
    listen(listener, types = allTypes) {
      const stops = types.map((type) => feeds[type].listen(listener))
      return () => {
        for (const stop of stops) stop()
      }
    },
  }
}
