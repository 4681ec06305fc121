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
  /** Names of the groups that hold at least one key. */
  groups(): Promise<string[]>
  clear(group: string): Promise<void>
  close(): Promise<void>
}
