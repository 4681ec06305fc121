import { type CallOrigin, markFault } from '../context/fault-origin.ts'
import type { Step } from '../steps/step.ts'
import type { EmitEvent, StateManager } from '../types.ts'
import type { Feed } from '../feed.ts'

/** What a handler did through its context (emits, state and stream writes), reported as it happens: the raw material of traces and test assertions. */
export type Activity =
  | {
      type: 'emit'
      at: number
      traceId: string
      step: string | null
      /** The job whose attempt emitted; absent for requests, cron ticks and emits from outside. */
      jobId?: string
      topic: string
      data: unknown
      /** Set by a listener that traces the emit: the W3C traceparent its jobs carry. */
      traceContext?: string
    }
  | {
      type: 'state'
      at: number
      traceId: string
      step: string
      jobId?: string
      op: 'set' | 'delete' | 'clear'
      group: string
      key: string | null
    }
  | {
      type: 'stream'
      at: number
      traceId: string
      step: string
      jobId?: string
      op: 'set' | 'delete' | 'send'
      stream: string
      group: string
      id: string | null
    }

/** Who acts through a context: the trace, the step, and the job when it runs one. */
export interface Origin {
  traceId: string
  step?: Step
  jobId?: string
}

export type ActivityListener = (activity: Activity) => void

/** Listeners of a runtime's activity; reporting costs nothing while there are none. */
export type ActivityFeed = Feed<Activity>

/**
 * The state a handler sees: each call's failure marked with where it came from (a handler may leave
 * one unawaited, see fault-origin.ts) and, while someone listened when the context was made, each
 * write reported. A class, so a context built per attempt creates no closures.
 */
class ContextState implements StateManager {
  private readonly observed: boolean

  constructor(
    private readonly state: StateManager,
    private readonly feed: ActivityFeed,
    private readonly origin: CallOrigin,
    observed: boolean,
  ) {
    this.observed = observed
  }

  get<T>(group: string, key: string): Promise<T | null> {
    return this.state.get<T>(group, key).catch((error: unknown) => this.fault(error))
  }

  getGroup<T>(group: string): Promise<T[]> {
    return this.state.getGroup<T>(group).catch((error: unknown) => this.fault(error))
  }

  set<T>(group: string, key: string, value: T): Promise<T> {
    return this.state.set(group, key, value).then(
      (stored) => {
        this.wrote('set', group, key)
        return stored
      },
      (error: unknown) => this.fault(error),
    )
  }

  delete<T>(group: string, key: string): Promise<T | null> {
    return this.state.delete<T>(group, key).then(
      (removed) => {
        this.wrote('delete', group, key)
        return removed
      },
      (error: unknown) => this.fault(error),
    )
  }

  clear(group: string): Promise<void> {
    return this.state.clear(group).then(
      () => this.wrote('clear', group, null),
      (error: unknown) => this.fault(error),
    )
  }

  private fault(error: unknown): never {
    throw markFault(error, this.origin)
  }

  private wrote(op: 'set' | 'delete' | 'clear', group: string, key: string | null): void {
    if (!this.observed) return
    const { traceId, step, jobId } = this.origin
    this.feed.report({ type: 'state', at: Date.now(), traceId, step: step?.name ?? '', ...(jobId ? { jobId } : {}), op, group, key })
  }
}

/** The state a handler sees (see ContextState); `observed` (default: whether someone listens now) says whether its writes are reported. */
export function toObservedState(state: StateManager, feed: ActivityFeed, origin: CallOrigin, observed: boolean = feed.active): StateManager {
  return new ContextState(state, feed, origin, observed)
}

/** Reports a validated emit; returns the trace context a listener gave it for its jobs, if any. */
export function reportEmit(feed: ActivityFeed, event: EmitEvent, origin: Origin): string | undefined {
  if (!feed.active) return undefined
  const { traceId, step, jobId } = origin
  const activity: Activity = { type: 'emit', at: Date.now(), traceId, step: step?.name ?? null, topic: event.topic, data: event.data }
  if (jobId) activity.jobId = jobId
  feed.report(activity)
  return activity.traceContext
}
