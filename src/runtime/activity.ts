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

/** A state store that reports each write; a class, so a context built per attempt creates no closures. */
class ObservedState implements StateManager {
  constructor(
    private readonly state: StateManager,
    private readonly feed: ActivityFeed,
    private readonly step: string,
    private readonly traceId: string,
    private readonly jobId: string | undefined,
  ) {}

  get<T>(group: string, key: string): Promise<T | null> {
    return this.state.get<T>(group, key)
  }

  getGroup<T>(group: string): Promise<T[]> {
    return this.state.getGroup<T>(group)
  }

  async set<T>(group: string, key: string, value: T): Promise<T> {
    const stored = await this.state.set(group, key, value)
    this.wrote('set', group, key)
    return stored
  }

  async delete<T>(group: string, key: string): Promise<T | null> {
    const removed = await this.state.delete<T>(group, key)
    this.wrote('delete', group, key)
    return removed
  }

  async clear(group: string): Promise<void> {
    await this.state.clear(group)
    this.wrote('clear', group, null)
  }

  private wrote(op: 'set' | 'delete' | 'clear', group: string, key: string | null): void {
    const { traceId, step, jobId } = this
    this.feed.report({ type: 'state', at: Date.now(), traceId, step, ...(jobId ? { jobId } : {}), op, group, key })
  }
}

/** The state a handler sees: the store itself, or while someone listens, the store reporting each write. */
export function toObservedState(state: StateManager, feed: ActivityFeed, step: Step, traceId: string, jobId?: string): StateManager {
  return feed.active ? new ObservedState(state, feed, step.name, traceId, jobId) : state
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
