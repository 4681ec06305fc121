import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockContext, createTester, type Tester } from '../src/testing/index.ts'
import type { Activity } from '../src/runtime/activity.ts'
import { fixture } from './helpers/start-fixture.ts'

let tester: Tester
beforeAll(async () => {
  tester = await createTester({ dir: fixture('streams') })
})
afterAll(() => tester.close())

const tag = (groupId: string, id: string, streamName = 'todo') => ({ type: 'state-stream', streamName, groupId, id })

describe('ctx.streams in handlers', () => {
  it("returns Motia's shapes from set, get, getGroup and delete, the __motia tag included, with the id argument winning", async () => {
    const set = await tester.request('POST', '/todo/shapes/a', { id: 'ignored', title: 'A' })
    expect(set.body).toEqual({ id: 'a', title: 'A', __motia: tag('shapes', 'a') })
    // A handler that writes back what it read does not store the tag.
    await tester.request('POST', '/todo/shapes/b', { title: 'B', __motia: tag('shapes', 'b') })
    expect((await tester.request('GET', '/todo/shapes?id=b')).body).toEqual({ id: 'b', title: 'B', __motia: tag('shapes', 'b') })
    expect((await tester.request('GET', '/todo/shapes?id=missing')).body).toBeNull()
    expect((await tester.request('GET', '/todo/shapes')).body).toEqual([
      { id: 'a', title: 'A', __motia: tag('shapes', 'a') },
      { id: 'b', title: 'B', __motia: tag('shapes', 'b') },
    ])
    expect((await tester.request('DELETE', '/todo/shapes/a')).body).toEqual({ removed: { id: 'a', title: 'A', __motia: tag('shapes', 'a') } })
    expect((await tester.request('DELETE', '/todo/shapes/a')).body).toEqual({ removed: null })
  })

  it('reaches streams from api handlers and their middleware, event handlers and cron handlers', async () => {
    await tester.request('POST', '/todo/inbox/m1', { title: 'via api' })
    expect((await tester.request('GET', '/todo/audit?id=m1')).body).toMatchObject({ title: 'set inbox' })
    await tester.request('POST', '/todo-later', { id: 'e1', title: 'via event' })
    await tester.drain()
    expect((await tester.request('GET', '/todo/inbox?id=e1')).body).toMatchObject({ title: 'via event', done: false })
    await tester.runCron('Tidy')
    expect((await tester.request('GET', '/todo/cron?id=last')).body).toMatchObject({ title: 'tidied' })
  })

  it('lets a test subscribe: a sync first, then create, update, custom events and delete, as a socket client gets them', async () => {
    const group = await tester.subscribe('todo', 'watched')
    const item = await tester.subscribe('todo', 'watched', 'w1')
    await tester.request('POST', '/todo/watched/w1', { title: 'one' })
    await tester.request('POST', '/todo/watched/w1', { title: 'one, edited' })
    await tester.request('POST', '/todo-events/watched', { type: 'typing', data: { user: 'ada' } })
    await tester.request('DELETE', '/todo/watched/w1')
    await group.next((frame) => frame.event.type === 'delete')
    expect(group.frames.map((frame) => frame.event)).toEqual([
      { type: 'sync', data: [] },
      { type: 'create', data: { id: 'w1', title: 'one' } },
      { type: 'update', data: { id: 'w1', title: 'one, edited' } },
      { type: 'event', event: { type: 'typing', data: { user: 'ada' } } },
      { type: 'delete', data: { id: 'w1', title: 'one, edited' } },
    ])
    // The group-wide event does not reach an item subscription.
    expect(item.frames.map((frame) => frame.event.type)).toEqual(['sync', 'create', 'update', 'delete'])
    const stamps = group.frames.map((frame) => frame.timestamp)
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b))
    expect(new Set(stamps).size).toBe(stamps.length)
    expect(tester.streamChanges('todo').filter((frame) => frame.groupId === 'watched').map((frame) => frame.event.type)).toEqual(['create', 'update', 'event', 'delete'])
    group.close()
    item.close()
  })

  it('checks items against the schema when the stream opts in, and says which fields are wrong', async () => {
    const bad = await tester.request('POST', '/strict/s1', { title: 'no count', count: 1.5 })
    // The handler wrote bad data: its failure (500), with the message in dev.
    expect(bad.status).toBe(500)
    expect(bad.body.error).toMatch(/Item "s1" written to stream "strict" \(steps\/strict\.stream\.ts\) does not match its schema: count: /)
    expect(await tester.runtime.streams.store.get('strict', 'all', 's1')).toBeNull()
    expect((await tester.request('POST', '/strict/s1', { title: 'fine', count: 2 })).status).toBe(200)
    // Without the opt-in, as in Motia, any object goes.
    expect((await tester.request('POST', '/todo/loose/x', { notATitle: true })).status).toBe(200)
  })

  it('reports stream writes on the activity feed with the step and trace, beside state writes', async () => {
    const seen: Activity[] = []
    const stop = tester.runtime.onActivity((activity) => seen.push(activity))
    const { traceId } = await tester.request('POST', '/todo/traced/t1', { title: 'traced' })
    stop()
    expect(seen.filter((activity) => activity.type === 'stream' && activity.traceId === traceId)).toEqual([
      expect.objectContaining({ type: 'stream', step: 'SetTodo', op: 'set', stream: 'todo', group: 'audit', id: 't1' }),
      expect.objectContaining({ type: 'stream', step: 'SetTodo', op: 'set', stream: 'todo', group: 'traced', id: 't1' }),
    ])
  })
})

describe('ctx.streams in a mock context', () => {
  it('keeps items in memory behind spies, with the same return values and refusals', async () => {
    const ctx = createMockContext()
    expect(await ctx.streams.todo.set('inbox', 'a', { title: 'A' })).toEqual({ id: 'a', title: 'A', __motia: tag('inbox', 'a') })
    expect(ctx.streams.todo.set).toHaveBeenCalledWith('inbox', 'a', { title: 'A' })
    expect(await ctx.streams.todo.getGroup('inbox')).toHaveLength(1)
    expect(await ctx.streams.todo.set('inbox', 'n', null as never)).toBeNull()
    await expect(ctx.streams.todo.set('inbox', 'f', { title: 'x', run: () => 1 } as never)).rejects.toMatchObject({ code: 'STREAM_ITEM_NOT_JSON' })
    await expect(ctx.streams.todo.set('inbox', 'l', ['a'] as never)).rejects.toMatchObject({ code: 'STREAM_ITEM_INVALID' })
    await expect(ctx.streams.todo.set('', 'a', { title: 'x' })).rejects.toThrow(/ctx\.streams\.todo\.set takes groupId and id as non-empty strings/)
    expect(await ctx.streams.store.getGroup('todo', 'inbox')).toEqual([{ id: 'a', title: 'A' }])
  })
})
