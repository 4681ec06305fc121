import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import { toErrorMessage } from '../errors.ts'
import { createFeed } from '../feed.ts'
import type { Logger } from '../types.ts'
import { parseClientMessage } from './parse-client-message.ts'
import { createFrameClock, toFrameText } from './stream-frame.ts'
import type { StreamRegistry } from './stream-registry.ts'
import { createRooms, toRoomKey } from './stream-rooms.ts'
import type { StreamStore } from './stream-store.ts'
import type { StreamAuthRequest } from './stream-types.ts'
import { createJoinHandler, type Connection } from './stream-join.ts'

/** Limits of the stream socket; every input has one. */
export interface StreamSocketLimits {
  /** Largest client message accepted; a larger one closes the connection (1009). Default 64 KiB. */
  maxMessageBytes: number
  /** Subscriptions one connection may hold; a join past it gets an error event. Default 1,000. */
  maxSubscriptions: number
  /** Bytes a connection may have unsent; a slower client is dropped (and reconnects to a fresh sync). Default 4 MiB. */
  maxBufferedBytes: number
  /** A connection that answers no ping within this long is closed. Default 30 s. */
  heartbeatMs: number
}

export const DEFAULT_STREAM_LIMITS: StreamSocketLimits = {
  maxMessageBytes: 64 * 1024,
  maxSubscriptions: 1_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  heartbeatMs: 30_000,
}

export interface StreamSocketOptions {
  registry: StreamRegistry
  store: StreamStore
  logger: Logger
  /** `streamAuth.authenticate`: a throw refuses the upgrade with 401; the result is the connection's auth context. */
  authenticate?: ((request: StreamAuthRequest) => unknown) | undefined
  limits?: Partial<StreamSocketLimits>
}

/**
 * Frames the socket sent to clients about one stream (changes, syncs, errors; `stream` is '' for a stream
 * the server does not have, so a client cannot invent names), or messages it received from clients.
 */
export type StreamFrameCount = { direction: 'sent'; stream: string; count: number } | { direction: 'received'; count: number }

/** The stream WebSocket endpoint of an HTTP server. */
export interface StreamSocketServer {
  /** Open connections. */
  readonly connections: number
  /** Subscriptions the open connections hold (each join that is not left yet). */
  readonly subscriptions: number
  /** Listens to frames sent and received, reported in counts (a change sent to 100 sockets is one report); nothing is counted while none listens. */
  onFrames(listener: (count: StreamFrameCount) => void): () => void
  /** Closes every connection and stops listening to the store. Idempotent. */
  close(): Promise<void>
}

/** Frames are JSON text, sent from an encoded buffer. */
const textFrame = { binary: false } as const

function refuse(socket: Duplex, status: 401 | 503): void {
  const reason = status === 401 ? 'Unauthorized' : 'Service Unavailable'
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`)
}

/**
 * Serves Motia's stream protocol on the HTTP server's port (any path, as Motia does): clients join
 * and leave groups and items, and get a `sync` snapshot then every change, routed exactly on
 * (stream, group, id), each frame at most once per socket, with strictly increasing timestamps. It
 * sees the store only through the StreamStore interface.
 */
export function attachStreamSocket(server: Server, options: StreamSocketOptions): StreamSocketServer {
  const limits = { ...DEFAULT_STREAM_LIMITS, ...options.limits }
  const { logger, authenticate } = options
  // The first offered subprotocol is selected (ws's default), as browsers require when they offer one.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false })
  const clock = createFrameClock()
  const rooms = createRooms<Connection>()
  const connections = new Set<Connection>()
  const frames = createFeed<StreamFrameCount>((error) => logger.error(`A stream frame listener failed: ${toErrorMessage(error)}`, { error }))
  const countSent = (stream: string, count: number): void => {
    if (count > 0 && frames.active) frames.report({ direction: 'sent', stream, count })
  }
  let closed = false
  let sendRound = 0

  /** Sends a frame, or queues it behind a join's sync; false when the socket is gone or was dropped as too slow. */
  function deliver(connection: Connection, frame: Buffer): boolean {
    if (connection.buffered) {
      connection.buffered.push(frame)
      return true
    }
    const { socket } = connection
    if (socket.readyState !== socket.OPEN) return false
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      logger.warn(`Dropped a stream client with over ${limits.maxBufferedBytes} bytes unsent; it reconnects to a fresh sync.`)
      socket.terminate()
      return false
    }
    socket.send(frame, textFrame)
    return true
  }

  const stopListening = options.store.onChange((change) => {
    const group = rooms.membersOf(toRoomKey(change.streamName, change.groupId))
    const item = change.id === undefined ? undefined : rooms.membersOf(toRoomKey(change.streamName, change.groupId, change.id))
    if (!group && !item) return
    // Encoded once for every socket: ws would encode a string again for each.
    const frame = Buffer.from(toFrameText(change, clock()))
    // A socket in both rooms gets the frame once: the client routes it to its group and item listeners.
    const round = ++sendRound
    let sent = 0
    for (const members of [group, item]) {
      if (!members) continue
      for (const connection of members.keys()) {
        if (connection.sentRound === round) continue
        connection.sentRound = round
        if (deliver(connection, frame)) sent += 1
      }
    }
    countSent(change.streamName, sent)
  })

  const handleMessage = createJoinHandler({ ...options, limits, rooms, clock, deliver, countSent })

  function onConnection(socket: WebSocket, auth: unknown): void {
    const connection: Connection = { socket, auth, alive: true, subscriptions: new Map(), queue: Promise.resolve(), buffered: null, sentRound: 0 }
    connections.add(connection)
    socket.on('pong', () => {
      connection.alive = true
    })
    socket.on('message', (data, isBinary) => {
      if (frames.active) frames.report({ direction: 'received', count: 1 })
      const text = isBinary ? '' : data.toString()
      // One message at a time per socket, so a leave never overtakes its join.
      connection.queue = connection.queue
        .then(() => handleMessage(connection, parseClientMessage(text)))
        .catch((error: unknown) => logger.error(`A stream client message failed: ${toErrorMessage(error)}`, { error }))
    })
    socket.on('error', (error) => logger.debug(`A stream client connection failed: ${toErrorMessage(error)}`))
    socket.on('close', () => {
      connections.delete(connection)
      for (const room of connection.subscriptions.values()) rooms.leave(room, connection)
      connection.subscriptions.clear()
    })
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy())
    if (closed) return refuse(socket, 503)
    let auth: unknown = null
    if (authenticate) {
      try {
        auth = await authenticate({ headers: request.headers, url: request.url })
      } catch (error) {
        logger.debug(`A stream client was refused by streamAuth.authenticate: ${toErrorMessage(error)}`)
        return refuse(socket, 401)
      }
    }
    if (socket.destroyed) return
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, auth ?? null))
  }
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    upgrade(request, socket, head).catch((error: unknown) => {
      logger.error(`A stream client upgrade failed: ${toErrorMessage(error)}`, { error })
      socket.destroy()
    })
  }
  server.on('upgrade', onUpgrade)

  const heartbeat = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        connection.socket.terminate()
        continue
      }
      connection.alive = false
      connection.socket.ping()
    }
  }, limits.heartbeatMs)
  heartbeat.unref()

  let closing: Promise<void> | undefined
  return {
    get connections() {
      return connections.size
    },
    get subscriptions() {
      let subscriptions = 0
      for (const connection of connections) subscriptions += connection.subscriptions.size
      return subscriptions
    },
    onFrames: (listener) => frames.listen(listener),
    close() {
      closing ??= (async () => {
        closed = true
        clearInterval(heartbeat)
        stopListening()
        server.off('upgrade', onUpgrade)
        for (const connection of connections) connection.socket.terminate()
        await new Promise<void>((resolve) => wss.close(() => resolve()))
      })()
      return closing
    },
  }
}
