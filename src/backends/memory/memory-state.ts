import { MotiaError } from '../../errors.ts'
import type { StateStore } from '../../state/state-store.ts'
import { toPage } from '../../state/to-page.ts'
import { compareCodePoints } from '../../state/compare-code-points.ts'
import { toStateJson } from '../../state/to-state-json.ts'

/** An in-process state store for tests and `--memory`: JSON copies in Maps, lost when the process exits. */
export function createMemoryStateStore(): StateStore {
  const groups = new Map<string, Map<string, string>>()
  let closed = false

  function open(): Map<string, Map<string, string>> {
    if (closed) throw new MotiaError('STATE_CLOSED', 'The memory state store is closed. Create a new store to keep using state.')
    return groups
  }

  function sortedEntries(group: string): [string, string][] {
    const entries = [...(open().get(group) ?? [])]
    return entries.sort(([a], [b]) => compareCodePoints(a, b))
  }

  return {
    async get<T>(group: string, key: string): Promise<T | null> {
      const json = open().get(group)?.get(key)
      return json === undefined ? null : (JSON.parse(json) as T)
    },

    async set<T>(group: string, key: string, value: T): Promise<T> {
      const json = toStateJson(group, key, value)
      const all = open()
      let entries = all.get(group)
      if (!entries) {
        entries = new Map()
        all.set(group, entries)
      }
      entries.set(key, json)
      return value
    },

    async delete<T>(group: string, key: string): Promise<T | null> {
      const all = open()
      const entries = all.get(group)
      const json = entries?.get(key)
      if (!entries || json === undefined) return null
      entries.delete(key)
      if (entries.size === 0) all.delete(group)
      return JSON.parse(json) as T
    },

    async getGroup<T>(group: string): Promise<T[]> {
      return sortedEntries(group).map(([, json]) => JSON.parse(json) as T)
    },

    async entries<T>(group: string): Promise<{ key: string; value: T }[]> {
      return sortedEntries(group).map(([key, json]) => ({ key, value: JSON.parse(json) as T }))
    },

    async entriesPage<T>(group: string, query: { limit: number; cursor?: string }) {
      const entries = open().get(group) ?? new Map<string, string>()
      const { names, nextCursor } = toPage(entries.keys(), query)
      return { items: names.map((key) => ({ key, value: JSON.parse(entries.get(key) as string) as T })), nextCursor }
    },

    async groupsPage(query) {
      const { names, nextCursor } = toPage(open().keys(), query)
      return { groups: names, nextCursor }
    },

    async groups(): Promise<string[]> {
      return [...open().keys()].sort(compareCodePoints)
    },

    async clear(group: string): Promise<void> {
      open().delete(group)
    },

    async close(): Promise<void> {
      closed = true
      groups.clear()
    },
  }
}
