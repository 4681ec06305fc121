/** A stored item: a JSON object with its id. */
export type StreamItem = Record<string, unknown> & { id: string }

/**
 * What subscribers of a stream are told, as it happened on any process: a write (`create`, `update`,
 * `delete`, with the item) or a custom event (`event`, with `{ type, data }`). The payload is JSON
 * text, so one write is serialized once however many sockets receive it.
 */
export interface StreamChange {
  streamName: string
  groupId: string
  /** Absent for a custom event sent to a whole group. */
  id?: string
  type: 'create' | 'update' | 'delete' | 'event'
  /** The item (create, update, delete) or the custom event `{ type, data }`, as JSON text. */
  json: string
}

export type StreamChangeListener = (change: StreamChange) => void

/**
 * Where stream items live and how their changes reach every process's subscribers. Implementations
 * expose no client type, so memory, SQLite and Redis are interchangeable; every write is reported to
 * the listeners of every process sharing the store, once it is stored.
 */
export interface StreamStore {
  get(stream: string, group: string, id: string): Promise<StreamItem | null>
  /** Stores a JSON copy of the item; `created` says whether the id was new, decided by the write itself. */
  set(stream: string, group: string, item: StreamItem): Promise<{ created: boolean }>
  /** Removes the item and returns it; null, and nothing reported, when there was none. */
  delete(stream: string, group: string, id: string): Promise<StreamItem | null>
  /** Every item of a group, in the order the items were first created. */
  getGroup(stream: string, group: string): Promise<StreamItem[]>
  /** Names of the groups of a stream that hold at least one item, sorted. */
  groups(stream: string): Promise<string[]>
  /** Reports a change made elsewhere (a custom event, a custom-storage write) to every process's listeners. */
  publish(change: StreamChange): Promise<void>
  /** Listens to the changes of every stream; returns the function that stops it. */
  onChange(listener: StreamChangeListener): () => void
  close(): Promise<void>
}
