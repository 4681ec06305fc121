import type { ActivityFeed } from '../runtime/activity.ts'
import type { Step } from '../steps/step.ts'
import { createMotiaStream } from './create-motia-stream.ts'
import type { StreamRegistry } from './stream-registry.ts'
import type { StreamStore } from './stream-store.ts'
import type { MotiaStream } from './stream-types.ts'

/** `ctx.streams`: one property per stream name. */
export type StreamsByName = Readonly<Record<string, MotiaStream>>

/** Builds `ctx.streams` for handler invocations. */
export interface StreamsContext {
  /** The streams a handler sees: shared while nobody listens to activity, else reporting each write. */
  forInvocation(step: Step, traceId: string, jobId?: string): StreamsByName
}

/**
 * `ctx.streams` of a runtime. The object is built once per change of the streams and shared by every
 * invocation, so a handler that uses no stream costs nothing; while the activity feed has listeners
 * (traces, the tester), each invocation gets a copy that reports its writes.
 */
export function createStreamsContext(registry: StreamRegistry, store: StreamStore, feed: ActivityFeed): StreamsContext {
  let shared: StreamsByName | undefined
  registry.onChange(() => {
    shared = undefined
  })
  const build = (): StreamsByName =>
    Object.freeze(Object.fromEntries(registry.list().map((definition) => [definition.name, createMotiaStream(definition, store)])))

  function reporting(streams: StreamsByName, step: Step, traceId: string, jobId?: string): StreamsByName {
    const wrote = (op: 'set' | 'delete' | 'send', stream: string, group: string, id: string | null): void => {
      feed.report({ type: 'stream', at: Date.now(), traceId, step: step.name, ...(jobId ? { jobId } : {}), op, stream, group, id })
    }
    const wrap = (name: string, stream: MotiaStream): MotiaStream => ({
      get: (groupId, id) => stream.get(groupId, id),
      getGroup: (groupId) => stream.getGroup(groupId),
      async set(groupId, id, data) {
        const stored = await stream.set(groupId, id, data)
        wrote('set', name, groupId, id)
        return stored
      },
      async delete(groupId, id) {
        const removed = await stream.delete(groupId, id)
        wrote('delete', name, groupId, id)
        return removed
      },
      async send(channel, event) {
        await stream.send(channel, event)
        wrote('send', name, channel.groupId, channel.id ?? null)
      },
    })
    return Object.freeze(Object.fromEntries(Object.entries(streams).map(([name, stream]) => [name, wrap(name, stream)])))
  }

  return {
    forInvocation(step, traceId, jobId) {
      shared ??= build()
      return feed.active ? reporting(shared, step, traceId, jobId) : shared
    },
  }
}
