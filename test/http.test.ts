import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('runtime'))
})
afterAll(() => app.close())

describe('API steps over HTTP', () => {
  it('maps path params, query params and response headers', async () => {
    const { status, body, headers } = await app.json<{ message: string; query: Record<string, unknown> }>(
      '/greet/ada?greeting=hi&tag=a&tag=b',
    )
    expect(status).toBe(200)
    expect(body.message).toBe('hi ada')
    expect(body.query).toEqual({ greeting: 'hi', tag: ['a', 'b'] })
    expect(headers.get('x-greeted')).toBe('ada')
    expect(headers.get('x-trace-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('runs handlers in-process: module state counts across requests', async () => {
    const first = await app.json<{ calls: number; pid: number }>('/counter', { method: 'POST' })
    const second = await app.json<{ calls: number; pid: number }>('/counter', { method: 'POST' })
    expect(second.body.calls).toBe(first.body.calls + 1)
    expect(second.body.pid).toBe(process.pid)
  })

  it('rejects a body that fails bodySchema with 400 and the issues', async () => {
    const { status, body } = await app.json<{ error: string; issues: { path: string }[] }>('/orders', {
      method: 'POST',
      body: JSON.stringify({ item: 'book', quantity: 0 }),
    })
    expect(status).toBe(400)
    expect(body.error).toMatch(/bodySchema/)
    expect(body.issues.map((issue) => issue.path)).toEqual(['quantity'])
  })

  it('answers malformed JSON with 400', async () => {
    const { status, body } = await app.json<{ error: string }>('/orders', { method: 'POST', body: '{"item": ' })
    expect(status).toBe(400)
    expect(body.error).toMatch(/Malformed JSON/)
  })

  it('answers a body over the limit with 413', async () => {
    const big = JSON.stringify({ item: 'x'.repeat(1024 * 1024 + 10), quantity: 1 })
    const { status, body } = await app.json<{ error: string }>('/orders', { method: 'POST', body: big })
    expect(status).toBe(413)
    expect(body.error).toMatch(/larger than the limit/)
  })

  it('answers an unknown route with 404 JSON', async () => {
    const { status, body } = await app.json<{ error: string }>('/nowhere', { method: 'DELETE' })
    expect(status).toBe(404)
    expect(body.error).toBe('No route for DELETE /nowhere.')
  })

  it('answers a throwing handler with 500 JSON and no stack', async () => {
    const response = await app.fetch('/crash')
    const text = await response.text()
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toMatch(/json/)
    expect(text).not.toMatch(/\bat .*\.(m?js|ts):\d+/)
    expect(JSON.parse(text)).toMatchObject({ traceId: expect.any(String) })
  })

  it('hides the handler message in start mode', async () => {
    const started = await startFixture(fixture('runtime'), { mode: 'start' })
    try {
      const { status, body } = await started.json<{ error: string }>('/crash')
      expect(status).toBe(500)
      expect(body.error).toBe('Internal server error')
      expect(JSON.stringify(body)).not.toMatch(/hunter2/)
    } finally {
      await started.close()
    }
  })

  it('runs API middleware around the handler, which may answer on its own', async () => {
    const blocked = await app.json('/orders', { method: 'POST', body: '{"item":"a","quantity":1}', headers: { 'x-block': 'yes' } })
    expect(blocked.status).toBe(403)
    const passed = await app.json('/orders', { method: 'POST', body: '{"item":"a","quantity":1}' })
    expect(passed.status).toBe(201)
    expect(passed.headers.get('x-middleware')).toBe('ran')
    await app.runtime.queue.drain()
  })

  it('fails an emit of an undeclared topic with a message naming step, file and fix', async () => {
    const { status } = await app.json('/undeclared', { method: 'POST', body: '{}' })
    expect(status).toBe(500)
    const logged = app.logs.find((entry) => entry.msg.includes('not.declared'))
    expect(logged?.msg).toContain(
      'Step "Undeclared" (steps/undeclared.step.ts) emitted "not.declared", which is not in its config.emits. Add it to emits or remove the emit.',
    )
  })

  it('rejects at emit data that fails a subscriber input schema, listing the issues', async () => {
    const { status, body } = await app.json<{ error: string; issues: { path: string }[] }>('/bad-payload', {
      method: 'POST',
      body: '{}',
    })
    expect(status).toBe(422)
    expect(body.error).toMatch(/input schema of step "ReserveStock"/)
    expect(body.issues.map((issue) => issue.path).sort()).toEqual(['orderId', 'quantity'])
    const jobs = await app.runtime.queue.list({ step: 'ReserveStock', search: '42' })
    expect(jobs.total).toBe(0)
  })
})

describe('built-in endpoints', () => {
  it('POST /emit queues jobs and rejects bad input with 400', async () => {
    const ok = await app.json<{ traceId: string }>('/emit', {
      method: 'POST',
      body: JSON.stringify({ topic: 'order.created', data: { orderId: 'o-emit', quantity: 2 } }),
    })
    expect(ok.status).toBe(200)
    await app.runtime.queue.drain()
    expect(await app.runtime.state.get('orders', 'o-emit')).toEqual({ status: 'shipped', traceId: ok.body.traceId })

    const missing = await app.json<{ error: string }>('/emit', { method: 'POST', body: '{"data":{}}' })
    expect(missing.status).toBe(400)
    const invalid = await app.json<{ issues: unknown[] }>('/emit', {
      method: 'POST',
      body: JSON.stringify({ topic: 'order.created', data: { orderId: 1 } }),
    })
    expect(invalid.status).toBe(400)
    expect(invalid.body.issues.length).toBeGreaterThan(0)
  })

  it('GET /__motia/steps lists steps with JSON Schemas', async () => {
    const { body } = await app.json<{ steps: { name: string; type: string; file: string; config: Record<string, unknown> }[]; errors: unknown[] }>(
      '/__motia/steps',
    )
    const order = body.steps.find((step) => step.name === 'CreateOrder')
    expect(order).toMatchObject({ type: 'api', file: 'steps/orders.step.ts' })
    expect(order?.config['bodySchema']).toMatchObject({ type: 'object', required: ['item', 'quantity'] })
    expect(body.steps.map((step) => step.type).sort()).toContain('noop')
    expect(body.errors).toEqual([])
  })

  it('GET /__motia/graph returns nodes and edges, filtered by flow', async () => {
    const { body } = await app.json<{ nodes: { id: string }[]; edges: { from: string; to: string; topic: string; virtual?: boolean }[] }>(
      '/__motia/graph?flow=orders',
    )
    expect(body.nodes.map((node) => node.id).sort()).toEqual(['CreateOrder', 'HumanReview', 'ReserveStock', 'ShipOrder'])
    expect(body.edges).toContainEqual({ from: 'CreateOrder', to: 'ReserveStock', topic: 'order.created' })
    expect(body.edges).toContainEqual({ from: 'ReserveStock', to: 'HumanReview', topic: 'stock.reserved', virtual: true })
  })

  it('GET /__motia/state/:group lists keys and values', async () => {
    await app.runtime.state.set('__proto__', 'constructor', { safe: true })
    const { body } = await app.json('/__motia/state/__proto__')
    expect(body).toEqual({ group: '__proto__', items: [{ key: 'constructor', value: { safe: true } }], nextCursor: null })
  })
})
