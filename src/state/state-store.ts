/** Which part of a list to read: at most `limit` items, after the one `cursor` names (from the previous page's `nextCursor`). */
export interface PageQuery {
  limit: number
  cursor?: string
}

/** A page of a group, in key order; `nextCursor` is null on the last page. */
export interface EntryPage<T> {
  items: { key: string; value: T }[]
  nextCursor: string | null
}

/** A page of the group names, in order; `nextCursor` is null on the last page. */
export interface GroupPage {
  groups: string[]
  nextCursor: string | null
}

/**
 * Where `ctx.state` keeps its data: JSON values under (group, key). Implementations expose no client
 * type, so memory, SQLite and Redis are interchangeable.
 */
export interface StateStore {
  get<T = unknown>(group: string, key: string): Promise<T | null>
  /** Stores a JSON copy of the value and returns the value. */
  set<T = unknown>(group: string, key: string, value: T): Promise<T>
  /** Removes the key and returns what it held, or null. */
  delete<T = unknown>(group: string, key: string): Promise<T | null>
  /** Every value of a group, in key order. */
  getGroup<T = unknown>(group: string): Promise<T[]>
  /** Every entry of a group, in key order. */
  entries<T = unknown>(group: string): Promise<{ key: string; value: T }[]>
  /**
   * Up to `limit` entries of a group in key order, after the cursor: reading a page costs its size, not
   * the group's. Keys written or deleted between pages do not shift the pages after them.
   */
  entriesPage<T = unknown>(group: string, query: PageQuery): Promise<EntryPage<T>>
  /** Names of the groups that hold at least one key. */
  groups(): Promise<string[]>
  /** Up to `limit` group names in order, after the cursor. */
  groupsPage(query: PageQuery): Promise<GroupPage>
  clear(group: string): Promise<void>
  close(): Promise<void>
}
