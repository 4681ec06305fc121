import { describe, expect, it } from 'vitest'
import { createIndexedHeap } from './indexed-heap.ts'

interface Item {
  heapIndex: number
  key: number
}

describe('indexed heap', () => {
  it('pops in key order after random pushes and removals from anywhere', () => {
    let state = 7
    const random = (): number => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
      return state / 2_147_483_648
    }
    for (let round = 0; round < 50; round += 1) {
      const heap = createIndexedHeap<Item>((a, b) => a.key < b.key)
      const held = new Set<Item>()
      for (let index = 0; index < 200; index += 1) {
        const item = { heapIndex: -1, key: Math.floor(random() * 1_000) }
        heap.push(item)
        held.add(item)
        if (random() < 0.4) {
          const victim = Array.from(held)[Math.floor(random() * held.size)] as Item
          heap.remove(victim)
          held.delete(victim)
          expect(victim.heapIndex).toBe(-1)
        }
      }
      expect(heap.size).toBe(held.size)
      const popped: number[] = []
      for (let item = heap.pop(); item; item = heap.pop()) popped.push(item.key)
      expect(popped).toEqual(Array.from(held, (item) => item.key).sort((a, b) => a - b))
    }
  })

  it('ignores removing an item it does not hold', () => {
    const heap = createIndexedHeap<Item>((a, b) => a.key < b.key)
    const held = { heapIndex: -1, key: 1 }
    heap.push(held)
    heap.remove({ heapIndex: 0, key: 2 })
    expect(heap.peek()).toBe(held)
    expect(heap.size).toBe(1)
  })
})
