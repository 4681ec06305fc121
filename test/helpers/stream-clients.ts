import { Stream } from '@motiadev/stream-client-node'
import { WebSocket } from 'ws'
import { createFrameLog } from '../../src/testing/frame-log.ts'

/** The socket URL of a server: the API's host and port, as Motia's clients are given it. */
export function toSocketUrl(httpUrl: string, path = '/'): string {
  return `${httpUrl.replace(/^http/, 'ws')}${path}`
}

/**
 * The published client, with an `error` listener on each of its sockets. The client registers none,
 * so a refused reconnect (a server restarting) would crash the test process instead of retrying.
 */
export class SafeStream extends Stream {
  override createSocket(): ReturnType<Stream['createSocket']> {
    const adapter = super.createSocket()
    ;(adapter as unknown as { ws: WebSocket }).ws.on('error', () => {})
    return adapter
  }
}

/** A subscription's state, as the published client exposes it. */
interface Subscribed<TState> {
  getState(): TState
  addChangeListener(listener: (state: TState | null) => void): void
  removeChangeListener(listener: (state: TState | null) => void): void
}

/** Waits until a subscription's state satisfies `match` (checked now and on each change), or fails after `timeoutMs`. */
export function stateWhere<TState>(subscription: Subscribed<TState>, match: (state: TState) => boolean, timeoutMs = 6_000): Promise<TState> {
  return new Promise((resolve, reject) => {
    const listener = (): void => {
      const state = subscription.getState()
      if (!match(state)) return
      finish()
      resolve(state)
    }
    const timer = setTimeout(() => {
      finish()
      reject(new Error(`Subscription state never matched within ${timeoutMs} ms; last: ${JSON.stringify(subscription.getState())}`))
    }, timeoutMs)
    const finish = (): void => {
      clearTimeout(timer)
      subscription.removeChangeListener(listener)
    }
    subscription.addChangeListener(listener)
    listener()
  })
}

/** Resolves with the first change of a subscription: the answer to its join. */
export function firstChange<TState>(subscription: Subscribed<TState>, timeoutMs = 6_000): Promise<TState> {
  return new Promise((resolve, reject) => {
    const listener = (): void => {
      clearTimeout(timer)
      subscription.removeChangeListener(listener)
      resolve(subscription.getState())
    }
    const timer = setTimeout(() => reject(new Error(`No change within ${timeoutMs} ms.`)), timeoutMs)
    subscription.addChangeListener(listener)
  })
}

/** Resolves with the data of the next custom event of a type. */
export function nextEvent(subscription: { onEvent(type: string, listener: (data: unknown) => void): void; offEvent(type: string, listener: (data: unknown) => void): void }, type: string, timeoutMs = 6_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const listener = (data: unknown): void => {
      clearTimeout(timer)
      subscription.offEvent(type, listener)
      resolve(data)
    }
    const timer = setTimeout(() => reject(new Error(`No "${type}" event within ${timeoutMs} ms.`)), timeoutMs)
    subscription.onEvent(type, listener)
  })
}

/** A raw `ws` client that keeps every frame it receives, parsed. */
export interface RawClient {
  socket: WebSocket
  frames: Array<Record<string, any>> // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON
  send(message: unknown): void
  join(streamName: string, groupId: string, subscriptionId: string, id?: string): void
  /** Resolves with the first frame (from the start) that matches; fails after `timeoutMs`. */
  next(match: (frame: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>> // eslint-disable-line @typescript-eslint/no-explicit-any
  closed: Promise<{ code: number }>
  close(): void
}

/** Opens a raw client and waits until it is connected. */
export async function openRawClient(url: string, options: { protocols?: string[]; autoPong?: boolean } = {}): Promise<RawClient> {
  const socket = new WebSocket(url, options.protocols ?? [], { autoPong: options.autoPong ?? true })
  const log = createFrameLog<RawClient['frames'][number]>(
    (timeoutMs, frames) => new Error(`No matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`),
  )
  socket.on('message', (data) => log.push(JSON.parse(data.toString())))
  const closed = new Promise<{ code: number }>((resolve) => socket.once('close', (code) => resolve({ code })))
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  socket.on('error', () => {})
  const send = (message: unknown): void => socket.send(typeof message === 'string' ? message : JSON.stringify(message))
  return {
    socket,
    frames: log.frames,
    closed,
    send,
    join: (streamName, groupId, subscriptionId, id) => send({ type: 'join', data: { streamName, groupId, subscriptionId, ...(id ? { id } : {}) } }),
    next: (match, timeoutMs = 5_000) => log.next(match, timeoutMs),
    close: () => socket.close(),
  }
}

/** The HTTP status a refused upgrade answered with. */
export function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0)
      socket.terminate()
    })
    socket.once('open', () => {
      resolve(101)
      socket.close()
    })
    socket.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error)
    })
  })
}
