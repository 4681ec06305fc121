/**
 * Public types of stream files and `ctx.streams`. They follow Motia 0.17, so stream files and handlers
 * written for it type-check unchanged.
 */

/** Where a subscriber listens: a whole group, or one item of it. */
export interface StreamSubscription {
  groupId: string
  id?: string
}

/** The channel `send` pushes a custom event to: a group, or one item of it. */
export interface StateStreamEventChannel {
  groupId: string
  id?: string
}

/** A custom event pushed to subscribers with `send`; it is not stored. */
export interface StateStreamEvent<TData = unknown> {
  type: string
  data: TData
}

/** A stored item: the data written with its `id`. */
export type BaseStreamItem<TData = unknown> = TData & { id: string }

/** Where the tag `__motia` of a returned item points: Motia's Workbench subscribes to it. */
export interface StreamItemTag {
  type: 'state-stream'
  streamName: string
  groupId: string
  id: string
}

/** An item as handlers get it back: the stored item plus the `__motia` tag. */
export type TaggedStreamItem<TData = unknown> = BaseStreamItem<TData> & { __motia: StreamItemTag }

/** `ctx.streams.<name>`: the items of one stream, addressed by group and id. */
export interface MotiaStream<TData = unknown> {
  /** The item, or null. */
  get(groupId: string, id: string): Promise<TaggedStreamItem<TData> | null>
  /** Replaces the whole item (the `id` argument wins over `data.id`) and pushes `create` or `update` to subscribers. */
  set(groupId: string, id: string, data: TData): Promise<TaggedStreamItem<TData>>
  /** Removes the item and pushes `delete`; null (and nothing pushed) when there was none. */
  delete(groupId: string, id: string): Promise<TaggedStreamItem<TData> | null>
  /** Every item of a group, in creation order. */
  getGroup(groupId: string): Promise<TaggedStreamItem<TData>[]>
  /** Pushes a custom event to the group's subscribers (and the item's, with `id`); nothing is stored. */
  send<TEvent = unknown>(channel: StateStreamEventChannel, event: StateStreamEvent<TEvent>): Promise<void>
}

/** A stream that keeps its items somewhere of its own (`baseConfig.storageType: 'custom'`). */
export interface CustomStreamStorage<TData = unknown> {
  get(groupId: string, id: string): Promise<BaseStreamItem<TData> | null>
  set(groupId: string, id: string, data: TData): Promise<BaseStreamItem<TData>>
  delete(groupId: string, id: string): Promise<BaseStreamItem<TData> | null>
  getGroup(groupId: string): Promise<BaseStreamItem<TData>[]>
}

/** The config a stream file exports (`*.stream.ts`, `*_stream.py`). */
export interface StreamConfig {
  name: string
  /** A zod schema (v3 or v4) or a JSON Schema: the item type in `types.d.ts`, and what `set` checks when `validate` is on. */
  schema?: object
  baseConfig?: { storageType: 'default' } | { storageType: 'custom'; factory: () => CustomStreamStorage<any> } // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Check every item written with `set` against `schema` (a ValidationError names the fields); default false, as in Motia. */
  validate?: boolean
  /** Decides each subscription of a client; false or a throw denies it. */
  canAccess?: (subscription: StreamSubscription, authContext: any) => boolean | Promise<boolean> // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** What `streamAuth.authenticate` receives at a WebSocket upgrade. */
export interface StreamAuthRequest {
  headers: Record<string, string | string[] | undefined>
  /** The path and query of the upgrade request, e.g. `/?authToken=abc`. */
  url?: string
}

/** Authentication of stream clients, in `motia-like.config.ts` or a Motia project's `motia.config.ts`. */
export interface StreamAuthConfig<TContext = unknown> {
  /** Runs at every WebSocket upgrade: a throw refuses the client (401); the result is its auth context for `canAccess`. */
  authenticate: (request: StreamAuthRequest) => TContext | null | Promise<TContext | null>
  /** A JSON Schema of the auth context (Motia generates `StreamAuthContext` from it); accepted, not used. */
  contextSchema?: object
}

/**
 * Streams by name, as `ctx.streams` holds them. `motia-like generate types` augments it:
 * `'todo': MotiaStream<Todo>`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FlowContextStateStreams {}
