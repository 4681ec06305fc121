import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StateStore } from './state-store.ts'

/**
 * The meaning every StateStore shares. `create` must return an empty store, isolated from the stores
 * of other tests (a fresh file, a unique key prefix).
 */
export function runStateContract(name: string, create: () => Promise<StateStore> | StateStore): void {
  describe(name, () => {
    let store: StateStore

    beforeEach(async () => {
      store = await create()
    })

    afterEach(async () => {
      await store.close()
    })

    it('returns null for a key that was never set', async () => {
      expect(await store.get('users', 'missing')).toBeNull()
      expect(await store.get('no-such-group', 'missing')).toBeNull()
    })

    it('round-trips every JSON type', async () => {
      const values: [string, unknown][] = [
        ['string', 'hello'],
        ['empty-string', ''],
        ['integer', 42],
        ['negative-float', -3.25],
        ['zero', 0],
        ['true', true],
        ['false', false],
        ['null', null],
        ['array', [1, 'two', { three: 3 }, [4], null]],
        ['empty-array', []],
        ['empty-object', {}],
        ['nested', { user: { name: 'Ada', tags: ['a', 'b'], address: { city: 'London', zip: null } } }],
        ['unicode', 'caf\u00e9 \u{1F600} \u4e2d'],
      ]
      for (const [key, value] of values) await store.set('values', key, value)
      for (const [key, value] of values) expect(await store.get('values', key), key).toEqual(value)
    })

    it('returns the value it was given from set', async () => {
      const value = { id: 1 }
      expect(await store.set('users', 'u1', value)).toBe(value)
    })

    it('overwrites a key with a new value', async () => {
      await store.set('users', 'u1', { name: 'Ada' })
      await store.set('users', 'u1', 'replaced')
      expect(await store.get('users', 'u1')).toBe('replaced')
      expect(await store.getGroup('users')).toEqual(['replaced'])
    })

    it('stores a copy: later changes to the object do not reach the store', async () => {
      const value = { count: 1, items: ['a'] }
      await store.set('carts', 'c1', value)
      value.count = 2
      value.items.push('b')
      expect(await store.get('carts', 'c1')).toEqual({ count: 1, items: ['a'] })
    })

    it('returns a copy: changes to a read value do not reach the store', async () => {
      await store.set('carts', 'c1', { items: ['a'] })
      const read = await store.get<{ items: string[] }>('carts', 'c1')
      read?.items.push('b')
      const [fromGroup] = await store.getGroup<{ items: string[] }>('carts')
      fromGroup?.items.push('c')
      expect(await store.get('carts', 'c1')).toEqual({ items: ['a'] })
    })

    it('keeps what JSON keeps: a Date becomes its ISO string, undefined fields disappear', async () => {
      const at = new Date('2024-05-01T12:30:00.000Z')
      await store.set('events', 'date', at)
      await store.set('events', 'object', { at, skipped: undefined, list: [undefined] })
      expect(await store.get('events', 'date')).toBe('2024-05-01T12:30:00.000Z')
      expect(await store.get('events', 'object')).toEqual({ at: '2024-05-01T12:30:00.000Z', list: [null] })
    })

    it('rejects undefined and tells the caller to use delete()', async () => {
      await store.set('users', 'u1', 'kept')
      await expect(store.set('users', 'u1', undefined)).rejects.toThrow(/delete\(/)
      await expect(store.set('users', 'u2', undefined)).rejects.toBeInstanceOf(Error)
      expect(await store.get('users', 'u1')).toBe('kept')
      expect(await store.get('users', 'u2')).toBeNull()
    })

    it('rejects values JSON cannot hold and keeps the old value', async () => {
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      await store.set('users', 'u1', 'kept')
      await expect(store.set('users', 'u1', cyclic)).rejects.toBeInstanceOf(Error)
      await expect(store.set('users', 'u1', () => 1)).rejects.toBeInstanceOf(Error)
      expect(await store.get('users', 'u1')).toBe('kept')
    })

    it('treats __proto__ and constructor as ordinary keys and groups', async () => {
      await store.set('users', '__proto__', { polluted: true })
      await store.set('users', 'constructor', 'ctor')
      await store.set('__proto__', 'toString', 'fine')
      expect(await store.get('users', '__proto__')).toEqual({ polluted: true })
      expect(await store.get('users', 'constructor')).toBe('ctor')
      expect(await store.get('users', 'toString')).toBeNull()
      expect(await store.get('users', 'hasOwnProperty')).toBeNull()
      expect(await store.get('__proto__', 'toString')).toBe('fine')
      expect(await store.getGroup('users')).toEqual([{ polluted: true }, 'ctor'])
      expect(await store.entries('users')).toEqual([
        { key: '__proto__', value: { polluted: true } },
        { key: 'constructor', value: 'ctor' },
      ])
      expect(await store.groups()).toEqual(['__proto__', 'users'])
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(await store.delete('users', '__proto__')).toEqual({ polluted: true })
      expect(await store.get('users', '__proto__')).toBeNull()
    })

    it('round-trips an object that has an own __proto__ field without touching prototypes', async () => {
      const value: unknown = JSON.parse('{"__proto__": {"polluted": true}, "name": "x"}')
      await store.set('users', 'u1', value)
      const read = await store.get<Record<string, unknown>>('users', 'u1')
      expect(read && Object.hasOwn(read, '__proto__')).toBe(true)
      expect(read && Object.getPrototypeOf(read)).toBe(Object.prototype)
      expect(JSON.stringify(read)).toBe('{"__proto__":{"polluted":true},"name":"x"}')
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })

    it('keeps groups apart: same key, different groups', async () => {
      await store.set('users', 'id', 'user')
      await store.set('orders', 'id', 'order')
      expect(await store.get('users', 'id')).toBe('user')
      expect(await store.get('orders', 'id')).toBe('order')
      expect(await store.getGroup('users')).toEqual(['user'])
    })

    it('lists a group in key order, whatever the insertion order', async () => {
      for (const key of ['b', 'a', 'B', '10', '9', 'a-1']) await store.set('sorted', key, `v-${key}`)
      expect(await store.getGroup('sorted')).toEqual(['v-10', 'v-9', 'v-B', 'v-a', 'v-a-1', 'v-b'])
      expect((await store.entries('sorted')).map((entry) => entry.key)).toEqual(['10', '9', 'B', 'a', 'a-1', 'b'])
    })

    it('orders keys by code point, as UTF-8 bytes compare', async () => {
      for (const key of ['\u{1F600}', '\uFF01', 'z']) await store.set('unicode', key, key)
      expect(await store.getGroup('unicode')).toEqual(['z', '\uFF01', '\u{1F600}'])
    })

    it('returns entries with their keys and values', async () => {
      await store.set('users', 'u2', { name: 'Bob' })
      await store.set('users', 'u1', { name: 'Ada' })
      expect(await store.entries('users')).toEqual([
        { key: 'u1', value: { name: 'Ada' } },
        { key: 'u2', value: { name: 'Bob' } },
      ])
    })

    it('returns an empty list for an unknown group', async () => {
      expect(await store.getGroup('nothing')).toEqual([])
      expect(await store.entries('nothing')).toEqual([])
    })

    it('lists the groups that hold keys, sorted', async () => {
      expect(await store.groups()).toEqual([])
      await store.set('users', 'u1', 1)
      await store.set('carts', 'c1', 1)
      await store.set('orders', 'o1', 1)
      expect(await store.groups()).toEqual(['carts', 'orders', 'users'])
      await store.delete('orders', 'o1')
      await store.clear('carts')
      expect(await store.groups()).toEqual(['users'])
    })

    it('deletes a key and returns what it held', async () => {
      await store.set('users', 'u1', { name: 'Ada' })
      await store.set('users', 'u2', { name: 'Bob' })
      expect(await store.delete('users', 'u1')).toEqual({ name: 'Ada' })
      expect(await store.get('users', 'u1')).toBeNull()
      expect(await store.getGroup('users')).toEqual([{ name: 'Bob' }])
    })

    it('returns null when deleting a missing key', async () => {
      expect(await store.delete('users', 'missing')).toBeNull()
      await store.set('users', 'u1', null)
      expect(await store.delete('users', 'u1')).toBeNull()
      expect(await store.entries('users')).toEqual([])
    })

    it('clears one group and leaves the others', async () => {
      await store.set('users', 'u1', 1)
      await store.set('users', 'u2', 2)
      await store.set('orders', 'o1', 3)
      await store.clear('users')
      expect(await store.getGroup('users')).toEqual([])
      expect(await store.get('users', 'u1')).toBeNull()
      expect(await store.getGroup('orders')).toEqual([3])
      await store.clear('never-existed')
      expect(await store.groups()).toEqual(['orders'])
    })

    it('pages a group in key order: the pages together are the group, and the last has no cursor', async () => {
      const keys = Array.from({ length: 23 }, (_, i) => `k${String(i).padStart(2, '0')}`)
      for (const key of [...keys].reverse()) await store.set('paged', key, { key })
      await store.set('other', 'k00', 'elsewhere')
      const pages: string[][] = []
      let cursor: string | undefined
      for (;;) {
        const page = await store.entriesPage<{ key: string }>('paged', { limit: 10, ...(cursor === undefined ? {} : { cursor }) })
        pages.push(page.items.map((item) => item.key))
        for (const item of page.items) expect(item.value).toEqual({ key: item.key })
        if (page.nextCursor === null) break
        cursor = page.nextCursor
      }
      expect(pages.map((page) => page.length)).toEqual([10, 10, 3])
      expect(pages.flat()).toEqual(keys)
      expect(await store.entriesPage('paged', { limit: 23 })).toMatchObject({ nextCursor: null })
      expect(await store.entriesPage('nothing', { limit: 10 })).toEqual({ items: [], nextCursor: null })
    })

    it('pages by code point, and keeps its place when keys are written or deleted between pages', async () => {
      for (const key of ['', 'a', 'b', '\uFF01', '\u{1F600}']) await store.set('unicode', key, key)
      const first = await store.entriesPage<string>('unicode', { limit: 2 })
      expect(first.items.map((item) => item.key)).toEqual(['', 'a'])
      await store.delete('unicode', 'a')
      await store.set('unicode', '0', 'before the cursor')
      await store.set('unicode', 'c', 'after the cursor')
      const rest = await store.entriesPage<string>('unicode', { limit: 10, cursor: first.nextCursor as string })
      expect(rest.items.map((item) => item.key)).toEqual(['b', 'c', '\uFF01', '\u{1F600}'])
      expect(rest.nextCursor).toBeNull()
    })

    it('pages the group names in order', async () => {
      for (const group of ['g3', 'g1', 'g4', 'g2', 'g5']) await store.set(group, 'k', 1)
      const first = await store.groupsPage({ limit: 2 })
      expect(first.groups).toEqual(['g1', 'g2'])
      await store.clear('g3')
      const second = await store.groupsPage({ limit: 2, cursor: first.nextCursor as string })
      expect(second.groups).toEqual(['g4', 'g5'])
      expect(second.nextCursor).toBeNull()
      expect(await store.groupsPage({ limit: 10, cursor: 'g5' })).toEqual({ groups: [], nextCursor: null })
    })

    it('closes idempotently and refuses work once closed', async () => {
      await store.set('users', 'u1', 1)
      await store.close()
      await store.close()
      await expect(store.get('users', 'u1')).rejects.toBeInstanceOf(Error)
      await expect(store.set('users', 'u2', 2)).rejects.toBeInstanceOf(Error)
    })
  })
}
