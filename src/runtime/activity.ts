import { type CallOrigin, markFault } from '../context/fault-origin.ts'
import type { Step } from '../steps/step.ts'
import type { EmitEvent, StateManager } from '../types.ts'
import { createFeed, type Feed } from '../feed.ts'

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

/**
 * Hears a run's emits and writes at the call, with no Activity built: how tracing listens, since a
 * fan-out reports three of them per event (see attachTracing).
 */
export interface ActivityTracer {
  /** A validated emit; returns the W3C traceparent its jobs carry. */
  emitted(origin: CallOrigin, topic: string): string | undefined
  stateWritten(origin: CallOrigin, op: 'set' | 'delete' | 'clear', group: string, key: string | null): void
  streamWritten(origin: CallOrigin, op: 'set' | 'delete' | 'send', stream: string, group: string, id: string | null): void
}

/** Listeners of a runtime's activity and the tracer that hears it; reporting costs nothing while there are neither. */
export interface ActivityFeed extends Feed<Activity> {
  /** True while listeners or a tracer hear activity. */
  readonly observed: boolean
  readonly tracer: ActivityTracer | null
  /** Sets the tracer (one at a time); returns the function that removes it. */
  trace(tracer: ActivityTracer): () => void
  /** Takes what a tracer threw, as a throwing listener's error is taken: the reporter never sees it. */
  fail(error: unknown): void
}

/** Creates the activity feed of a runtime; `onError` receives what a listener or the tracer threw. */
export function createActivityFeed(onError: (error: unknown) => void): ActivityFeed {
  const listeners = createFeed<Activity>(onError)
  let tracer: ActivityTracer | null = null
  return {
    get active() {
      return listeners.active
    },
    get observed() {
      return tracer !== null || listeners.active
    },
    get tracer() {
      return tracer
    },
    report: (activity) => listeners.report(activity),
    listen: (listener) => listeners.listen(listener),
    trace(added) {
      tracer = added
      return () => {
        if (tracer === added) tracer = null
      }
    },
    fail: onError,
  }
}

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
    const { feed, origin } = this
    const tracer = feed.tracer
    if (tracer !== null) {
      try {
        tracer.stateWritten(origin, op, group, key)
      } catch (error) {
        feed.fail(error)
      }
    }
    if (!feed.active) return
    const { traceId, step, jobId } = origin
    feed.report({ type: 'state', at: Date.now(), traceId, step: step?.name ?? '', ...(jobId ? { jobId } : {}), op, group, key })
  }
}

/** The state a handler sees (see ContextState); `observed` (default: whether activity is heard now) says whether its writes are reported. */
export function toObservedState(state: StateManager, feed: ActivityFeed, origin: CallOrigin, observed: boolean = feed.observed): StateManager {
  return new ContextState(state, feed, origin, observed)
}

/** Reports a validated emit; returns the traceparent the tracer gave it for its jobs, if any. */
export function reportEmit(feed: ActivityFeed, event: EmitEvent, origin: CallOrigin): string | undefined {
  const tracer = feed.tracer
  let traceContext: string | undefined
  if (tracer !== null) {
    try {
      traceContext = tracer.emitted(origin, event.topic)
    } catch (error) {
      feed.fail(error)
    }
  }
  if (!feed.active) return traceContext
  const { traceId, step, jobId } = origin
  const activity: Activity = { type: 'emit', at: Date.now(), traceId, step: step?.name ?? null, topic: event.topic, data: event.data }
  if (jobId) activity.jobId = jobId
  feed.report(activity)
  return traceContext
}

/** Reports a stream write made through a handler's context. */
export function reportStreamWrite(
  feed: ActivityFeed,
  origin: CallOrigin,
  op: 'set' | 'delete' | 'send',
  stream: string,
  group: string,
  id: string | null,
): void {
  const tracer = feed.tracer
  if (tracer !== null) {
    try {
      tracer.streamWritten(origin, op, stream, group, id)
    } catch (error) {
      feed.fail(error)
    }
  }
  if (!feed.active) return
  const { traceId, step, jobId } = origin
  feed.report({ type: 'stream', at: Date.now(), traceId, step: step?.name ?? '', ...(jobId ? { jobId } : {}), op, stream, group, id })
}
