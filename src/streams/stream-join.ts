import type { WebSocket } from 'ws'
import { toErrorMessage } from '../errors.ts'
import type { Logger } from '../types.ts'
import type { StreamDefinition } from './load-stream.ts'
import type { ClientMessage } from './parse-client-message.ts'
import { toSyncText } from './stream-frame.ts'
import type { StreamRegistry } from './stream-registry.ts'
import { type Rooms, toRoomKey } from './stream-rooms.ts'
import type { StreamStore } from './stream-store.ts'

/** One client socket and its subscriptions. */
export interface Connection {
  socket: WebSocket
  /** What `streamAuth.authenticate` returned for it (null when anonymous or not configured). */
  auth: unknown
  alive: boolean
  /** Room of each subscription, by the client's subscription id. */
  subscriptions: Map<string, string>
  /** Its messages, handled one after another. */
  queue: Promise<void>
  /** While a join reads its snapshot, the frames that arrive meanwhile wait here, to follow the sync. */
  buffered: Buffer[] | null
  /** The last fan-out round that sent it a frame, so a frame reaches it once. */
  sentRound: number
}

export interface JoinHandlerOptions {
  registry: StreamRegistry
  store: StreamStore
  logger: Logger
  limits: { maxSubscriptions: number }
  rooms: Rooms<Connection>
  clock: () => number
  deliver(connection: Connection, frame: Buffer): boolean
  /** Counts frames sent about a stream ('' for one the server does not have). */
  countSent(stream: string, count: number): void
}

function send(connection: Connection, text: string): boolean {
  if (connection.socket.readyState !== connection.socket.OPEN) return false
  connection.socket.send(text)
  return true
}

/** Builds what handles each client message: join (authorize, subscribe, sync), leave, and nothing for anything else. */
export function createJoinHandler(options: JoinHandlerOptions): (connection: Connection, message: ClientMessage | null) => Promise<void> {
  const { registry, store, logger, rooms, clock, countSent } = options

  function sendError(connection: Connection, message: ClientMessage, code: string, text: string): void {
    const { streamName, groupId, id } = message
    const error = { type: 'event', event: { type: 'error', data: { code, message: text } } }
    const sent = send(connection, JSON.stringify({ timestamp: clock(), streamName, groupId, ...(id === undefined ? {} : { id }), event: error }))
    if (sent) countSent(registry.get(streamName) ? streamName : '', 1)
  }

  async function mayAccess(definition: StreamDefinition, message: ClientMessage, auth: unknown): Promise<boolean> {
    const { canAccess } = definition.config
    if (!canAccess) return true
    try {
      return Boolean(await canAccess({ groupId: message.groupId, ...(message.id === undefined ? {} : { id: message.id }) }, auth))
    } catch (error) {
      logger.warn(`canAccess of stream "${definition.name}" (${definition.relativeFile}) threw, so the subscription was denied: ${toErrorMessage(error)}`, { error })
      return false
    }
  }

  function snapshot(definition: StreamDefinition, groupId: string, id: string | undefined): Promise<unknown> {
    const { custom, name } = definition
    if (id === undefined) return custom ? custom.getGroup(groupId) : store.getGroup(name, groupId)
    return custom ? custom.get(groupId, id) : store.get(name, groupId, id)
  }

  function leave(connection: Connection, subscriptionId: string): void {
    const room = connection.subscriptions.get(subscriptionId)
    if (room === undefined) return
    connection.subscriptions.delete(subscriptionId)
    rooms.leave(room, connection)
  }

  async function join(connection: Connection, message: ClientMessage): Promise<void> {
    const { streamName, groupId, id, subscriptionId } = message
    // The same subscription joining again (Motia's client re-joins on reconnect) replaces the old one.
    leave(connection, subscriptionId)
    if (connection.subscriptions.size >= options.limits.maxSubscriptions) {
      sendError(connection, message, 'STREAM_SUBSCRIPTION_LIMIT', `This connection already holds ${options.limits.maxSubscriptions} subscriptions. Close some before joining more.`)
      return
    }
    const definition = registry.get(streamName)
    if (!definition) {
      sendError(connection, message, 'STREAM_ACCESS_DENIED', `Stream ${streamName} not found`)
      return
    }
    if (!(await mayAccess(definition, message, connection.auth))) {
      sendError(connection, message, 'STREAM_ACCESS_DENIED', 'Access denied')
      return
    }
    if (connection.socket.readyState !== connection.socket.OPEN) return
    // Subscribed before the snapshot is read, so no write falls between the two; what arrives meanwhile follows the sync.
    const room = toRoomKey(streamName, groupId, id)
    connection.subscriptions.set(subscriptionId, room)
    rooms.join(room, connection)
    connection.buffered = []
    try {
      const timestamp = clock()
      const data = await snapshot(definition, groupId, id)
      if (send(connection, toSyncText(streamName, groupId, id, data ?? null, timestamp))) countSent(streamName, 1)
    } catch (error) {
      logger.error(`Could not read the snapshot of stream "${streamName}" group "${groupId}" for a client: ${toErrorMessage(error)}`, { error })
      leave(connection, subscriptionId)
      sendError(connection, message, 'STREAM_SYNC_FAILED', 'The stream could not be read. Join again later.')
    } finally {
      const waiting = connection.buffered
      connection.buffered = null
      for (const frame of waiting) options.deliver(connection, frame)
    }
  }

  return async (connection, message) => {
    // Anything malformed or unknown is ignored: a client's mistake never closes its socket or the server.
    if (!message) return
    if (message.type === 'leave') leave(connection, message.subscriptionId)
    else await join(connection, message)
  }
}
