import { resolve } from 'node:path'
import { createMockContext, createTester, type Tester } from 'motia-like/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handler as announce } from '../steps/announce-task.step.ts'

describe('the tasks board, run in-process', () => {
  let tester: Tester
  beforeAll(async () => {
    tester = await createTester({ dir: resolve(import.meta.dirname, '..') })
  })
  afterAll(() => tester.close())

  it('pushes a new task, its toggle and its removal to a subscriber of the board', async () => {
    const board = await tester.subscribe('tasks', 'home')
    const created = await tester.request('POST', '/boards/home/tasks', { title: 'Water the plants' })
    expect(created).toMatchObject({ status: 201, body: { title: 'Water the plants', done: false } })
    await tester.request('POST', `/boards/home/tasks/${created.body.id}/toggle`)
    await tester.request('DELETE', `/boards/home/tasks/${created.body.id}`)
    await tester.drain()
    await board.next((frame) => frame.event.type === 'delete')
    expect(board.frames.map((frame) => frame.event.type)).toEqual(['sync', 'create', 'event', 'update', 'delete'])
    board.close()
  })

  it('refuses an empty title', async () => {
    expect((await tester.request('POST', '/boards/home/tasks', { title: '' })).status).toBe(400)
  })
})

describe('the AnnounceTask handler, called directly', () => {
  it('sends an activity event to the board', async () => {
    const ctx = createMockContext()
    await announce({ board: 'home', id: 't1', title: 'Call Ada' }, ctx)
    expect(ctx.streams.tasks.send).toHaveBeenCalledWith({ groupId: 'home' }, { type: 'activity', data: { message: 'Added "Call Ada"' } })
  })
})
