import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from './helpers/spawn-cli.ts'
import { sample } from './helpers/prometheus-sample.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'
import { openRawClient, type RawClient, toSocketUrl } from './helpers/stream-clients.ts'

const errorOf = (frame: Record<string, any>): string | undefined => frame['event']?.event?.data?.code // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON

describe('stream metrics in GET /metrics', () => {
  let app: TestApp
  let first: string
  let text: string
  let a: RawClient
  let b: RawClient
  const scrape = async (): Promise<string> => (await app.fetch('/metrics')).text()
  const write = (id: string) => app.runtime.streams.store.set('todo', 'm-group', { id, title: id })

  beforeAll(async () => {
    app = await startFixture(fixture('streams'), { mode: 'start' })
    // Counting starts with the first scrape, as for jobs.
    first = await scrape()
    a = await openRawClient(toSocketUrl(app.url))
    b = await openRawClient(toSocketUrl(app.url))
    // A: the group and one of its items; a group canAccess denies; a stream that does not exist.
    a.join('todo', 'm-group', 'a-group')
    a.join('todo', 'm-group', 'a-item', 'x')
    a.join('todo', 'secret', 'a-secret')
    a.join('nope', 'g', 'a-nope')
    b.join('todo', 'm-group', 'b-group')
    await a.next((frame) => frame['id'] === 'x' && frame['event'].type === 'sync')
    await a.next((frame) => errorOf(frame) === 'STREAM_ACCESS_DENIED' && frame['streamName'] === 'nope')
    await a.next((frame) => errorOf(frame) === 'STREAM_ACCESS_DENIED' && frame['groupId'] === 'secret')
    await b.next((frame) => frame['event'].type === 'sync')
    // Item x reaches A once (it listens to the group and the item) and B once; item y reaches both.
    await write('x')
    await write('y')
    for (const client of [a, b]) {
      for (const id of ['x', 'y']) await client.next((frame) => frame['id'] === id && frame['event'].type === 'create')
    }
    // B leaves the group, then joins another; its messages are handled in order, so the sync means the leave is done.
    b.send({ type: 'leave', data: { streamName: 'todo', groupId: 'm-group', subscriptionId: 'b-group' } })
    b.join('todo', 'marker', 'b-marker')
    await b.next((frame) => frame['groupId'] === 'marker')
    text = await scrape()
  })
  afterAll(async () => {
    a?.close()
    b?.close()
    await app?.close()
  })

  it('counts nothing before the first scrape and shows no connection then', () => {
    expect(sample(first, 'motia_stream_connections')).toBe(0)
    expect(sample(first, 'motia_stream_subscriptions')).toBe(0)
    expect(first).not.toContain('motia_stream_frames_sent_total{')
    expect(sample(first, 'motia_stream_frames_received_total')).toBe(0)
  })

  it('counts frames sent per stream: syncs, changes once per socket, and errors (an unknown stream under "")', () => {
    // 4 syncs (A: group, item; B: group, marker) + 4 changes (x and y, to A and B) + 1 denial.
    expect(sample(text, 'motia_stream_frames_sent_total{stream="todo"}')).toBe(9)
    expect(sample(text, 'motia_stream_frames_sent_total{stream=""}')).toBe(1)
    expect(text).not.toContain('stream="nope"')
  })

  it('counts every message clients sent', () => {
    // A: 4 joins; B: join, leave, join.
    expect(sample(text, 'motia_stream_frames_received_total')).toBe(7)
  })

  it('reads the open connections and their subscriptions at each scrape', async () => {
    expect(sample(text, 'motia_stream_connections')).toBe(2)
    expect(sample(text, 'motia_stream_subscriptions')).toBe(3)
    b.close()
    await eventually(async () => {
      const now = await scrape()
      return sample(now, 'motia_stream_connections') === 1 && sample(now, 'motia_stream_subscriptions') === 2 ? true : undefined
    })
  })
})
