import { compareCodePoints } from './compare-code-points.ts'
import type { PageQuery } from './state-store.ts'

/**
 * The names after the cursor, in code point order, cut to a page: for stores that hold their names
 * unordered. One pass keeps the smallest `limit + 1` in order, so a page of a huge group sorts no more than a page.
 */
export function toPage(names: Iterable<string>, query: PageQuery): { names: string[]; nextCursor: string | null } {
  const { cursor } = query
  const size = query.limit + 1
  const smallest: string[] = []
  for (const name of names) {
    if (cursor !== undefined && compareCodePoints(name, cursor) <= 0) continue
    if (smallest.length === size && compareCodePoints(name, smallest[size - 1] as string) >= 0) continue
    let low = 0
    let high = smallest.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (compareCodePoints(smallest[middle] as string, name) < 0) low = middle + 1
      else high = middle
    }
    smallest.splice(low, 0, name)
    if (smallest.length > size) smallest.pop()
  }
  return toNextCursor(smallest, query.limit)
}

/** Cuts `limit + 1` names read in order to a page; the extra one only says there is a next page. */
export function toNextCursor(names: string[], limit: number): { names: string[]; nextCursor: string | null } {
  if (names.length <= limit) return { names, nextCursor: null }
  const page = names.slice(0, limit)
  return { names: page, nextCursor: page[page.length - 1] ?? null }
}
