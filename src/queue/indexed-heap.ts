/** An item that remembers its position, so it can be removed from the middle of a heap. */
export interface HeapItem {
  heapIndex: number
}

/** A binary min-heap (by `before`) that supports removing any item in O(log n). */
export interface IndexedHeap<T extends HeapItem> {
  readonly size: number
  peek(): T | undefined
  push(item: T): void
  pop(): T | undefined
  /** Removes an item that is in this heap; `heapIndex` becomes -1. */
  remove(item: T): void
}

/** Creates an empty heap where `before(a, b)` means a comes out first. */
export function createIndexedHeap<T extends HeapItem>(before: (a: T, b: T) => boolean): IndexedHeap<T> {
  const items: T[] = []

  const place = (item: T, index: number): void => {
    items[index] = item
    item.heapIndex = index
  }

  const siftUp = (start: number): void => {
    const item = items[start] as T
    let index = start
    while (index > 0) {
      const parentIndex = (index - 1) >> 1
      const parent = items[parentIndex] as T
      if (!before(item, parent)) break
      place(parent, index)
      index = parentIndex
    }
    place(item, index)
  }

  const siftDown = (start: number): void => {
    const item = items[start] as T
    const length = items.length
    let index = start
    for (;;) {
      const left = 2 * index + 1
      if (left >= length) break
      const right = left + 1
      let child = left
      if (right < length && before(items[right] as T, items[left] as T)) child = right
      const candidate = items[child] as T
      if (!before(candidate, item)) break
      place(candidate, index)
      index = child
    }
    place(item, index)
  }

  const removeAt = (index: number): T => {
    const removed = items[index] as T
    const last = items.pop() as T
    removed.heapIndex = -1
    if (index < items.length) {
      place(last, index)
      siftDown(index)
      siftUp(last.heapIndex)
    }
    return removed
  }

  return {
    get size() {
      return items.length
    },
    peek: () => items[0],
    push(item) {
      items.push(item)
      siftUp(items.length - 1)
    },
    pop: () => (items.length === 0 ? undefined : removeAt(0)),
    remove(item) {
      if (items[item.heapIndex] === item) removeAt(item.heapIndex)
    },
  }
}
