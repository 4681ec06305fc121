/** Every entry of a state group over HTTP, page by page (the endpoint sends at most 1,000 a page). */
export async function readStateGroup<T = unknown>(baseUrl: string, group: string): Promise<Array<{ key: string; value: T }>> {
  const items: Array<{ key: string; value: T }> = []
  let cursor: string | null = null
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`
    const response = await fetch(`${baseUrl}/__motia/state/${encodeURIComponent(group)}?limit=1000${query}`)
    if (!response.ok) throw new Error(`GET /__motia/state/${group} answered ${response.status}`)
    const page = (await response.json()) as { items: Array<{ key: string; value: T }>; nextCursor: string | null }
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor !== null)
  return items
}
