/** A client's `join` or `leave`, as Motia's clients send it. */
export interface ClientMessage {
  type: 'join' | 'leave'
  streamName: string
  groupId: string
  /** Absent (or empty) for a group subscription. */
  id: string | undefined
  subscriptionId: string
}

/** Longest stream name, group id, item id or subscription id accepted. */
const MAX_KEY_LENGTH = 1024

const isKey = (value: unknown): value is string => typeof value === 'string' && value !== '' && value.length <= MAX_KEY_LENGTH

/** Reads a client frame; null for anything malformed or unknown, which the server ignores. */
export function parseClientMessage(text: string): ClientMessage | null {
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof message !== 'object' || message === null) return null
  const { type, data } = message as { type?: unknown; data?: unknown }
  if ((type !== 'join' && type !== 'leave') || typeof data !== 'object' || data === null) return null
  const { streamName, groupId, id, subscriptionId } = data as Record<string, unknown>
  if (!isKey(streamName) || !isKey(groupId) || !isKey(subscriptionId)) return null
  // Motia's clients send no id (or a falsy one) for a group.
  if (id !== undefined && id !== null && id !== '' && !isKey(id)) return null
  return { type, streamName, groupId, id: isKey(id) ? id : undefined, subscriptionId }
}
