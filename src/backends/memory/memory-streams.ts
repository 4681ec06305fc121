import { MotiaError } from '../../errors.ts'
import { createFeed, toSafeSink } from '../../feed.ts'
import { compareCodePoints } from '../../state/compare-code-points.ts'
import type { StreamChange, StreamItem, StreamStore } from '../../streams/stream-store.ts'
import { toStreamJson } from '../../streams/to-stream-json.ts'

/**
 * Stream items in this process (`--memory`, tests): JSON text in Maps, which keep insertion order, so
 * a group lists its items in creation order. Changes reach this process's listeners only.
 */
export function createMemoryStreamStore(options: { onError?: (error: unknown) => void } = {}): StreamStore {
  const streams = new Map<string, Map<string, Map<string, string>>>()
  const feed = createFeed<StreamChange>(toSafeSink(options.onError))
  let closed = false

  function groupsOf(stream: string): Map<string, Map<string, string>> {
    if (closed) throw new MotiaError('STREAMS_CLOSED', 'The memory stream store is closed. Create a new store to keep using streams.')
    let groups = streams.get(stream)
    if (!groups) {
      groups = new Map()
      streams.set(stream, groups)
    }
    return groups
  }

  return {
    async get(stream, group, id) {
      const json = groupsOf(stream).get(group)?.get(id)
      return json === undefined ? null : (JSON.parse(json) as StreamItem)
    },
    async set(stream, group, item) {
      const json = toStreamJson(stream, group, item.id, item)
      const groups = groupsOf(stream)
      let items = groups.get(group)
      if (!items) {
        items = new Map()
        groups.set(group, items)
      }
      const created = !items.has(item.id)
      items.set(item.id, json)
      feed.report({ streamName: stream, groupId: group, id: item.id, type: created ? 'create' : 'update', json })
      return { created }
    },
    async delete(stream, group, id) {
      const groups = groupsOf(stream)
      const items = groups.get(group)
      const json = items?.get(id)
      if (!items || json === undefined) return null
      items.delete(id)
      if (items.size === 0) groups.delete(group)
      feed.report({ streamName: stream, groupId: group, id, type: 'delete', json })
      return JSON.parse(json) as StreamItem
    },
    async getGroup(stream, group) {
      return [...(groupsOf(stream).get(group)?.values() ?? [])].map((json) => JSON.parse(json) as StreamItem)
    },
    async groups(stream) {
      return [...groupsOf(stream).keys()].sort(compareCodePoints)
    },
    async publish(change) {
      groupsOf(change.streamName)
      feed.report(change)
    },
    onChange: (listener) => feed.listen(listener),
    async close() {
      closed = true
      streams.clear()
    },
  }
}
