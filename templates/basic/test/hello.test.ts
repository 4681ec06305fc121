import { resolve } from 'node:path'
import { createMockContext, createTester, type Tester } from 'motia-like/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handler as greet } from '../steps/greet.step.ts'

describe('the hello flow, run in-process', () => {
  let tester: Tester
  beforeAll(async () => {
    tester = await createTester({ dir: resolve(import.meta.dirname, '..') })
  })
  afterAll(() => tester.close())

  it('queues a greeting and records it in the background', async () => {
    const res = await tester.request('POST', '/hello', { name: 'Ada' })
    expect(res).toMatchObject({ status: 202, body: { queued: true } })
    await tester.drain()
    expect(tester.emitted('greeting.requested').map((event) => event.data)).toEqual([{ name: 'Ada' }])
    expect(await tester.state.get('greetings', 'Ada')).toMatchObject({ name: 'Ada', greetedAt: expect.any(Number) })
  })

  it('answers 400 with the reason when the name is missing', async () => {
    const res = await tester.request('POST', '/hello', { name: '' })
    expect(res.status).toBe(400)
    expect(res.body.issues[0].path).toBe('name')
  })

  it('counts the greetings in the daily report', async () => {
    await tester.runCron('DailyReport')
    const [report] = await tester.state.getGroup('reports')
    expect(report).toEqual({ greeted: 1 })
  })
})

describe('the Greet handler, called directly', () => {
  it('records the name and logs a greeting', async () => {
    const ctx = createMockContext()
    await greet({ name: 'Bob' }, ctx)
    expect(ctx.logger.info).toHaveBeenCalledWith('Hello, Bob')
    expect(await ctx.state.get('greetings', 'Bob')).toMatchObject({ name: 'Bob' })
  })
})
