import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Activity } from '../src/runtime/activity.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('runtime'))
})
afterAll(() => app.close())

describe('runtime activity', () => {
  it('reports the emits and state writes of one request, in order, under its trace id', async () => {
    const seen: Activity[] = []
    const stop = app.runtime.onActivity((activity) => seen.push(activity))
    const { body } = await app.json<{ traceId: string }>('/orders', { method: 'POST', body: JSON.stringify({ item: 'lamp', quantity: 1 }) })
    await app.runtime.queue.drain()
    stop()
    const mine = seen.filter((activity) => activity.traceId === body.traceId)
    expect(mine.map((activity) => (activity.type === 'emit' ? `${activity.step} emit ${activity.topic}` : activity.type === 'state' ? `${activity.step} ${activity.op} ${activity.group}/${activity.key}` : activity.type))).toEqual([
      'CreateOrder emit order.created',
      'ReserveStock set traces/o-lamp:reserve',
      'ReserveStock emit stock.reserved',
      'ShipOrder set traces/o-lamp:ship',
      'ShipOrder set orders/o-lamp',
    ])
    expect(mine[0]).toMatchObject({ type: 'emit', data: { orderId: 'o-lamp', quantity: 1 } })
  })

  it('keeps serving when a listener throws, and logs the listener error', async () => {
    const stop = app.runtime.onActivity(() => {
      throw new Error('listener broke')
    })
    const response = await app.json('/orders', { method: 'POST', body: JSON.stringify({ item: 'desk', quantity: 2 }) })
    await app.runtime.queue.drain()
    stop()
    expect(response.status).toBe(201)
    expect(await app.runtime.state.get('orders', 'o-desk')).toMatchObject({ status: 'shipped' })
    expect(app.logs.some((entry) => entry.level === 'error' && entry.msg.includes('listener broke'))).toBe(true)
  })
})
