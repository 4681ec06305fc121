import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('runtime'))
})
afterAll(() => app.close())

/** Every item of a list endpoint, page by page, with the size of each page's answer. */
async function readAll<T>(path: string, key: string): Promise<{ items: T[]; sizes: number[] }> {
  const items: T[] = []
  const sizes: number[] = []
  let cursor: string | null = null
  do {
    const separator = path.includes('?') ? '&' : '?'
    const response = await app.fetch(cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`)
    const text = await response.text()
    expect(response.status, text).toBe(200)
    sizes.push(text.length)
    const body = JSON.parse(text) as Record<string, unknown>
    items.push(...(body[key] as T[]))
    cursor = (body['nextCursor'] as string | null | undefined) ?? null
  } while (cursor !== null)
  return { items, sizes }
}

describe('list endpoints have a limit and a cursor', () => {
  it('sends a big state group a page at a time, in key order', async () => {
    const value = { text: 'x'.repeat(200) }
    for (let i = 0; i < 5_000; i++) await app.runtime.state.set('big', `key-${String(i).padStart(5, '0')}`, value)
    const first = await app.fetch('/__motia/state/big')
    const text = await first.text()
    const body = JSON.parse(text) as { group: string; items: { key: string }[]; nextCursor: string }
    expect(body.group).toBe('big')
    expect(body.items).toHaveLength(1000)
    expect(text.length).toBeLessThan(300_000)
    const small = (await app.json<{ items: unknown[] }>('/__motia/state/big?limit=100')).body
    expect(small.items).toHaveLength(100)
    const { items, sizes } = await readAll<{ key: string }>('/__motia/state/big?limit=1000', 'items')
    expect(items.map((item) => item.key)).toEqual(Array.from({ length: 5_000 }, (_, i) => `key-${String(i).padStart(5, '0')}`))
    expect(sizes).toHaveLength(5)
  })

  it('pages the state groups', async () => {
    for (const group of ['g-a', 'g-b', 'g-c']) await app.runtime.state.set(group, 'k', 1)
    const page = await app.json<{ groups: string[]; nextCursor: string }>('/__motia/state?limit=2')
    expect(page.body.groups).toHaveLength(2)
    const { items } = await readAll<string>('/__motia/state?limit=2', 'groups')
    expect(items).toEqual(expect.arrayContaining(['big', 'g-a', 'g-b', 'g-c']))
    expect(new Set(items).size).toBe(items.length)
  })

  it('pages jobs, traces and logs', async () => {
    for (let i = 0; i < 7; i++) {
      const response = await app.json('/emit', { method: 'POST', body: JSON.stringify({ topic: 'tick.happened', data: { i } }) })
      expect(response.status).toBe(200)
      app.runtime.logger.error(`line ${i}`)
    }
    const jobs = await readAll<{ id: string }>('/__motia/jobs?limit=3', 'jobs')
    expect(new Set(jobs.items.map((job) => job.id)).size).toBe(7)
    const traces = await readAll<{ traceId: string }>('/__motia/traces?limit=3', 'traces')
    expect(traces.items.length).toBeGreaterThanOrEqual(7)
    expect(traces.sizes.length).toBeGreaterThanOrEqual(3)
    expect(new Set(traces.items.map((trace) => trace.traceId)).size).toBe(traces.items.length)
    const logs = await readAll<{ msg: string }>('/__motia/logs?limit=2&level=error', 'logs')
    const lines = logs.items.map((line) => line.msg).filter((msg) => msg.startsWith('line '))
    expect(lines).toEqual(['line 5', 'line 6', 'line 3', 'line 4', 'line 1', 'line 2', 'line 0'])
    expect((await app.json<{ error: string }>('/__motia/logs?cursor=abc')).status).toBe(400)
  })
})
