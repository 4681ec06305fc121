import { type ActivityFeed, type Origin, reportStreamWrite } from '../runtime/activity.ts'
import type { Step } from '../steps/step.ts'
import { createMotiaStream } from './create-motia-stream.ts'
import type { StreamRegistry } from './stream-registry.ts'
import type { StreamStore } from './stream-store.ts'
import type { MotiaStream } from './stream-types.ts'

/** `ctx.streams`: one property per stream name. */
export type StreamsByName = Readonly<Record<string, MotiaStream>>

/** Builds `ctx.streams` for handler invocations. */
export interface StreamsContext {
  /** The streams a handler sees: shared while activity is not heard, else reporting each write. */
  forInvocation(step: Step, traceId: string, jobId?: string): StreamsByName
  /** True when the project has no stream, so forInvocation always answers the same empty object. */
  isEmpty(): boolean
}

/**
 * `ctx.streams` of a runtime. The object is built once per change of the streams and shared by every
 * invocation, so a handler that uses no stream costs nothing; while the activity feed has listeners or a
 * tracer (traces, the tester), each invocation gets a copy that reports its writes.
 */
export function createStreamsContext(registry: StreamRegistry, store: StreamStore, feed: ActivityFeed): StreamsContext {
  let shared: StreamsByName | undefined
  let empty = true
  registry.onChange(() => {
    shared = undefined
  })
  const build = (): StreamsByName =>
    Object.freeze(Object.fromEntries(registry.list().map((definition) => [definition.name, createMotiaStream(definition, store)])))

  function reporting(streams: StreamsByName, step: Step, traceId: string, jobId?: string): StreamsByName {
    const origin: Origin = jobId ? { traceId, step, jobId } : { traceId, step }
    const wrote = (op: 'set' | 'delete' | 'send', stream: string, group: string, id: string | null): void => {
      reportStreamWrite(feed, origin, op, stream, group, id)
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

  const sharedStreams = (): StreamsByName => {
    if (!shared) {
      shared = build()
      empty = Object.keys(shared).length === 0
    }
    return shared
  }

  return {
    forInvocation(step, traceId, jobId) {
      const streams = sharedStreams()
      return feed.observed && !empty ? reporting(streams, step, traceId, jobId) : streams
    },
    isEmpty() {
      sharedStreams()
      return empty
    },
  }
}
