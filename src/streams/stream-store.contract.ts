import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StreamChange, StreamStore } from './stream-store.ts'

/** Collects the changes a store reports; `next(n)` waits (with a deadline) until n have arrived. */
function collect(store: StreamStore): { changes: StreamChange[]; next(count: number): Promise<StreamChange[]>; stop(): void } {
  const changes: StreamChange[] = []
  let wake = (): void => {}
  const stop = store.onChange((change) => {
    changes.push(change)
    wake()
  })
  return {
    changes,
    stop,
    async next(count) {
      const deadline = Date.now() + 5_000
      while (changes.length < count) {
        if (Date.now() > deadline) throw new Error(`Only ${changes.length} of ${count} changes arrived within 5 s.`)
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, 50)
        })
      }
      return changes.slice(0, count)
    },
  }
}

const item = (id: string, fields: Record<string, unknown> = {}): Record<string, unknown> & { id: string } => ({ id, ...fields })

/**
 * The meaning every StreamStore shares. `create` must return an empty store, isolated from the
 * stores of other tests (a fresh file, a unique key prefix).
 */
export function runStreamStoreContract(name: string, create: () => Promise<StreamStore> | StreamStore): void {
  describe(name, () => {
    let store: StreamStore

    beforeEach(async () => {
      store = await create()
    })

    afterEach(async () => {
      await store.close()
    })

    it('returns null for an item that was never set', async () => {
      expect(await store.get('todo', 'inbox', 'missing')).toBeNull()
      expect(await store.getGroup('todo', 'no-such-group')).toEqual([])
    })

    it('tells a create from an update by the write itself, and replaces the whole item', async () => {
      expect(await store.set('todo', 'inbox', item('a', { title: 'A', done: false }))).toEqual({ created: true })
      expect(await store.set('todo', 'inbox', item('a', { title: 'A2' }))).toEqual({ created: false })
      expect(await store.get('todo', 'inbox', 'a')).toEqual({ id: 'a', title: 'A2' })
    })

    it('decides exactly one create among concurrent writes of a new id', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, n) => store.set('todo', 'race', item('x', { n }))))
      expect(results.filter((result) => result.created)).toHaveLength(1)
    })

    it('keeps a group in creation order: an update keeps its place, a re-created item goes last', async () => {
      for (const id of ['c', 'a', 'b']) await store.set('todo', 'inbox', item(id))
      await store.set('todo', 'inbox', item('c', { title: 'updated' }))
      expect((await store.getGroup('todo', 'inbox')).map((entry) => entry.id)).toEqual(['c', 'a', 'b'])
      await store.delete('todo', 'inbox', 'c')
      await store.set('todo', 'inbox', item('c'))
      expect((await store.getGroup('todo', 'inbox')).map((entry) => entry.id)).toEqual(['a', 'b', 'c'])
    })

    it('keeps streams and groups apart, even groups whose names share a prefix', async () => {
      await store.set('todo', 'a', item('1', { in: 'todo/a' }))
      await store.set('todo', 'ab', item('1', { in: 'todo/ab' }))
      await store.set('notes', 'a', item('1', { in: 'notes/a' }))
      expect(await store.getGroup('todo', 'a')).toEqual([{ id: '1', in: 'todo/a' }])
      expect(await store.get('notes', 'a', '1')).toEqual({ id: '1', in: 'notes/a' })
      expect(await store.groups('todo')).toEqual(['a', 'ab'])
      expect(await store.groups('notes')).toEqual(['a'])
    })

    it('deletes an item and returns it; a missing item gives null', async () => {
      await store.set('todo', 'inbox', item('a', { title: 'A' }))
      expect(await store.delete('todo', 'inbox', 'a')).toEqual({ id: 'a', title: 'A' })
      expect(await store.delete('todo', 'inbox', 'a')).toBeNull()
      expect(await store.get('todo', 'inbox', 'a')).toBeNull()
      expect(await store.groups('todo')).toEqual([])
    })

    it('round-trips nested JSON and unicode, and stores a copy', async () => {
      const value = item('u', { text: 'caf\u00e9 \u{1F600} \u4e2d', nested: { list: [1, null, { deep: true }] }, empty: {} })
      await store.set('todo', 'inbox', value)
      ;(value.nested as { list: unknown[] }).list.push('later')
      expect(await store.get('todo', 'inbox', 'u')).toEqual(item('u', { text: 'caf\u00e9 \u{1F600} \u4e2d', nested: { list: [1, null, { deep: true }] }, empty: {} }))
    })

    it('refuses an item that is not JSON, naming it, and stores and reports nothing', async () => {
      const seen = collect(store)
      await expect(store.set('todo', 'inbox', item('f', { run: () => 1 }))).rejects.toThrow(/Item "f" of group "inbox" in stream "todo" holds a function in "run"/)
      await expect(store.set('todo', 'inbox', item('n', { count: Number.NaN }))).rejects.toMatchObject({ code: 'STREAM_ITEM_NOT_JSON' })
      expect(await store.getGroup('todo', 'inbox')).toEqual([])
      await store.publish({ streamName: 'todo', groupId: 'inbox', type: 'event', json: '{"type":"mark","data":null}' })
      expect((await seen.next(1)).map((change) => change.type)).toEqual(['event'])
      seen.stop()
    })

    it('reports create, update, delete and published events in order, and nothing for a delete of a missing item', async () => {
      const seen = collect(store)
      await store.set('todo', 'inbox', item('a', { title: 'A' }))
      await store.set('todo', 'inbox', item('a', { title: 'A2' }))
      await store.delete('todo', 'inbox', 'missing')
      await store.delete('todo', 'inbox', 'a')
      await store.publish({ streamName: 'todo', groupId: 'inbox', type: 'event', json: '{"type":"typing","data":{"user":"x"}}' })
      await store.publish({ streamName: 'todo', groupId: 'inbox', id: 'a', type: 'event', json: '{"type":"reaction","data":1}' })
      const changes = await seen.next(5)
      expect(changes.map(({ type, id }) => [type, id])).toEqual([
        ['create', 'a'],
        ['update', 'a'],
        ['delete', 'a'],
        ['event', undefined],
        ['event', 'a'],
      ])
      expect(changes.map((change) => JSON.parse(change.json))).toEqual([
        { id: 'a', title: 'A' },
        { id: 'a', title: 'A2' },
        { id: 'a', title: 'A2' },
        { type: 'typing', data: { user: 'x' } },
        { type: 'reaction', data: 1 },
      ])
      expect(changes.every((change) => change.streamName === 'todo' && change.groupId === 'inbox')).toBe(true)
      seen.stop()
    })

    it('keeps writing when a listener throws, and stops reporting to a listener that stopped', async () => {
      const stopThrowing = store.onChange(() => {
        throw new Error('listener bug')
      })
      const seen = collect(store)
      await store.set('todo', 'inbox', item('a'))
      await seen.next(1)
      stopThrowing()
      seen.stop()
      await store.set('todo', 'inbox', item('b'))
      expect(seen.changes).toHaveLength(1)
      expect(await store.get('todo', 'inbox', 'b')).toEqual({ id: 'b' })
    })
  })
}
