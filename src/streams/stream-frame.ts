import type { StreamChange } from './stream-store.ts'

/** The `event` of a frame: a write with the item, a snapshot, or a custom event. */
export type StreamFrameEvent =
  | { type: 'sync'; data: unknown }
  | { type: 'create' | 'update' | 'delete'; data: unknown }
  | { type: 'event'; event: { type: string; data: unknown } }

/** A frame as Motia's clients read it: `{ timestamp, streamName, groupId, id?, event }`. */
export interface StreamFrame {
  timestamp: number
  streamName: string
  groupId: string
  id?: string
  event: StreamFrameEvent
}

/** The text of the frame of a change, in Motia's key order; the item's JSON is spliced in, not parsed again. */
export function toFrameText(change: StreamChange, timestamp: number): string {
  const id = change.id === undefined ? '' : `,"id":${JSON.stringify(change.id)}`
  const event = change.type === 'event' ? `{"type":"event","event":${change.json}}` : `{"type":"${change.type}","data":${change.json}}`
  return `{"timestamp":${timestamp},"streamName":${JSON.stringify(change.streamName)},"groupId":${JSON.stringify(change.groupId)}${id},"event":${event}}`
}

/** The frame of a snapshot: the group's items (no `id`), or one item. */
export function toSyncText(streamName: string, groupId: string, id: string | undefined, data: unknown, timestamp: number): string {
  return JSON.stringify({ timestamp, streamName, groupId, ...(id === undefined ? {} : { id }), event: { type: 'sync', data } })
}

/** A change as a parsed frame. */
export function toFrame(change: StreamChange, timestamp: number): StreamFrame {
  return JSON.parse(toFrameText(change, timestamp)) as StreamFrame
}

/** Milliseconds since the epoch, strictly increasing: Motia's item subscriptions drop a frame no later than the last. */
export function createFrameClock(): () => number {
  let last = 0
  return () => {
    last = Math.max(Date.now(), last + 1)
    return last
  }
}
