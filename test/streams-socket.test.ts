import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'
import { firstChange, nextEvent, openRawClient, SafeStream, stateWhere, toSocketUrl } from './helpers/stream-clients.ts'

type Todo = { id: string; title: string }

let app: TestApp
let stream: SafeStream
beforeAll(async () => {
  app = await startFixture(fixture('streams'))
  stream = new SafeStream(toSocketUrl(app.url))
})
afterAll(async () => {
  stream?.close()
  await app?.close()
})

const post = (path: string, body: unknown) => app.json(path, { method: 'POST', body: JSON.stringify(body) })
const titles = (items: Todo[]) => items.map((item) => `${item.id}:${item.title}`)

describe('the published @motiadev/stream-client-node against the real server', () => {
  it('gets a sync on join, then create, update, custom events and delete, on group and item subscriptions', async () => {
    const group = stream.subscribeGroup<Todo>('todo', 'inbox')
    expect(await firstChange(group)).toEqual([])
    const item = stream.subscribeItem<Todo>('todo', 'inbox', 'a')
    // A missing item is answered too (data null), so a client knows it joined.
    expect(await firstChange(item)).toBeNull()

    await post('/todo/inbox/a', { title: 'A' })
    expect(titles(await stateWhere(group, (items) => items.length === 1))).toEqual(['a:A'])
    expect(await stateWhere(item, (value) => value !== null)).toEqual({ id: 'a', title: 'A' })

    await post('/todo/inbox/a', { title: 'A2' })
    expect(titles(await stateWhere(group, (items) => items[0]?.title === 'A2'))).toEqual(['a:A2'])
    expect(await stateWhere(item, (value) => value?.title === 'A2')).toEqual({ id: 'a', title: 'A2' })

    const typing = nextEvent(group, 'typing')
    await post('/todo-events/inbox', { type: 'typing', data: { user: 'ada' } })
    expect(await typing).toEqual({ user: 'ada' })
    const reaction = nextEvent(item, 'reaction')
    await post('/todo-events/inbox', { id: 'a', type: 'reaction', data: { emoji: '+1' } })
    expect(await reaction).toEqual({ emoji: '+1' })

    await app.fetch('/todo/inbox/a', { method: 'DELETE' })
    expect(await stateWhere(group, (items) => items.length === 0)).toEqual([])
    expect(await stateWhere(item, (value) => value === null)).toBeNull()

    // Motia 0.17 pushed {type: 'delete', data: null} here, which crashed this client; nothing is pushed.
    await app.fetch('/todo/inbox/zz', { method: 'DELETE' })
    await post('/todo/inbox/after', { title: 'still alive' })
    expect(titles(await stateWhere(group, (items) => items.length === 1))).toEqual(['after:still alive'])
    group.close()
    item.close()
  })

  it('answers a join with a snapshot of what is already stored, in creation order', async () => {
    for (const id of ['c', 'a', 'b']) await post(`/todo/ordered/${id}`, { title: id.toUpperCase() })
    const group = stream.subscribeGroup<Todo>('todo', 'ordered')
    expect(titles(await firstChange(group))).toEqual(['c:C', 'a:A', 'b:B'])
    const item = stream.subscribeItem<Todo>('todo', 'ordered', 'b')
    expect(await firstChange(item)).toEqual({ id: 'b', title: 'B' })
    group.close()
    item.close()
  })

  it('denies an unknown stream and a group canAccess refuses, with one error event each', async () => {
    const unknown = stream.subscribeGroup('nosuch', 'inbox')
    expect(await nextEvent(unknown, 'error')).toEqual({ code: 'STREAM_ACCESS_DENIED', message: 'Stream nosuch not found' })
    const secret = stream.subscribeGroup('todo', 'secret')
    expect(await nextEvent(secret, 'error')).toEqual({ code: 'STREAM_ACCESS_DENIED', message: 'Access denied' })
    unknown.close()
    secret.close()
  })

  it('sends each frame once per socket, with strictly increasing timestamps, and nothing internal', async () => {
    const raw = await openRawClient(toSocketUrl(app.url))
    raw.join('todo', 'once', 'g1')
    raw.join('todo', 'once', 'i1', 'x')
    await raw.next((frame) => frame['id'] === 'x' && frame['event'].type === 'sync')
    for (let n = 0; n < 5; n++) await post('/todo/once/x', { title: `v${n}` })
    await raw.next((frame) => frame['event'].data?.title === 'v4')
    const changes = raw.frames.filter((frame) => frame['event'].type !== 'sync')
    expect(changes.map((frame) => frame['event'].data.title)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4'])
    const stamps = raw.frames.map((frame) => frame['timestamp'] as number)
    expect(stamps.every((stamp, index) => index === 0 || stamp > (stamps[index - 1] as number))).toBe(true)
    expect(Object.keys(changes[0] ?? {})).toEqual(['timestamp', 'streamName', 'groupId', 'id', 'event'])
    expect(raw.frames.every((frame) => frame['streamName'] === 'todo' && !JSON.stringify(frame).includes('__motia'))).toBe(true)
    raw.close()
  })
})

describe('the stream endpoints of /__motia', () => {
  it('lists the streams, the groups of one (not guessed) and the items of a group', async () => {
    await post('/todo/listed-b/x', { title: 'X' })
    await post('/todo/listed-a/y', { title: 'Y' })
    const { body: list } = await app.json<{ streams: { name: string; file: string; validate: boolean; canAccess: boolean }[] }>('/__motia/streams')
    expect(list.streams.map(({ name, file, validate, canAccess }) => ({ name, file, validate, canAccess }))).toEqual([
      { name: 'strict', file: 'steps/strict.stream.ts', validate: true, canAccess: false },
      { name: 'todo', file: 'steps/todo.stream.ts', validate: false, canAccess: true },
    ])
    const { body: groups } = await app.json<{ groups: string[] }>('/__motia/streams/todo/groups')
    expect(groups.groups).toEqual(expect.arrayContaining(['listed-a', 'listed-b']))
    expect(groups.groups).toEqual([...groups.groups].sort())
    expect((await app.json('/__motia/streams/todo/groups/listed-a')).body).toEqual({
      stream: 'todo',
      group: 'listed-a',
      items: [{ id: 'y', title: 'Y' }],
      nextCursor: null,
    })
    // Every list endpoint answers a page: a limit and the cursor of the next one.
    await post('/todo/listed-a/z', { title: 'Z' })
    const first = await app.json<{ items: { id: string }[]; nextCursor: string }>('/__motia/streams/todo/groups/listed-a?limit=1')
    expect(first.body.items.map((item) => item.id)).toEqual(['y'])
    const second = await app.json<{ items: { id: string }[]; nextCursor: string | null }>(
      `/__motia/streams/todo/groups/listed-a?limit=1&cursor=${first.body.nextCursor}`,
    )
    expect(second.body).toMatchObject({ items: [{ id: 'z' }], nextCursor: null })
    const missing = await app.json<{ error: string }>('/__motia/streams/nosuch/groups')
    expect(missing.status).toBe(404)
    expect(missing.body.error).toMatch(/No stream named "nosuch"/)
  })
})

describe('stream writes in traces', () => {
  it('appear in the trace of the request beside its other entries, and are counted', async () => {
    const { headers } = await post('/todo/traced/t1', { title: 'traced' })
    const traceId = headers.get('x-trace-id') as string
    const { body } = await app.json<{ counts: { streamWrites: number }; entries: Array<Record<string, unknown>> }>(`/__motia/traces/${traceId}`)
    expect(body.counts.streamWrites).toBe(2)
    expect(body.entries.filter((entry) => entry['type'] === 'stream').map(({ step, op, stream, group, id }) => ({ step, op, stream, group, id }))).toEqual([
      { step: 'SetTodo', op: 'set', stream: 'todo', group: 'audit', id: 't1' },
      { step: 'SetTodo', op: 'set', stream: 'todo', group: 'traced', id: 't1' },
    ])
  })
})
