import { MotiaError } from '../errors.ts'
import { createFrameClock, type StreamFrame, toFrame, toSyncText } from '../streams/stream-frame.ts'
import type { StreamStore } from '../streams/stream-store.ts'
import { createFrameLog } from './frame-log.ts'

/** A test's subscription to a stream group or item: the frames a socket client would get, without a socket. */
export interface TestStreamSubscription {
  /** Every frame so far: the `sync` snapshot first, then each change, as Motia's clients receive them. */
  readonly frames: StreamFrame[]
  /** Resolves with the first frame (from the start) that matches, or rejects after `timeoutMs` (default 5 s). */
  next(match?: (frame: StreamFrame) => boolean, timeoutMs?: number): Promise<StreamFrame>
  close(): void
}

/** Subscribes to a group (or one item) of a store as the socket server routes it: exactly on (stream, group, id). */
export async function watchStream(store: StreamStore, streamName: string, groupId: string, id?: string): Promise<TestStreamSubscription> {
  const clock = createFrameClock()
  const log = createFrameLog<StreamFrame>(
    (timeoutMs, frames) =>
      new MotiaError('STREAM_FRAME_TIMEOUT', `No matching frame on stream "${streamName}" group "${groupId}" within ${timeoutMs} ms; got ${frames.length} frame(s).`),
  )
  const stop = store.onChange((change) => {
    if (change.streamName !== streamName || change.groupId !== groupId) return
    if (id !== undefined && change.id !== id) return
    log.push(toFrame(change, clock()))
  })
  const timestamp = clock()
  const snapshot = id === undefined ? await store.getGroup(streamName, groupId) : await store.get(streamName, groupId, id)
  log.frames.unshift(JSON.parse(toSyncText(streamName, groupId, id, snapshot, timestamp)) as StreamFrame)
  return {
    frames: log.frames,
    close: stop,
    next: (match = () => true, timeoutMs = 5_000) => log.next(match, timeoutMs),
  }
}
