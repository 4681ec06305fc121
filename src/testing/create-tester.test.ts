import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTester, type Tester } from './create-tester.ts'

const repoRoot = resolve(import.meta.dirname, '..', '..')
const fixture = (name: string) => resolve(repoRoot, 'test', 'fixtures', name)

describe('createTester on the runtime fixture', () => {
  let tester: Tester
  beforeAll(async () => {
    tester = await createTester({ dir: fixture('runtime') })
  })
  afterAll(() => tester.close())

  it('answers a request with path and query params, headers and the trace id, without a server', async () => {
    const res = await tester.request('GET', '/greet/ada?greeting=hi&tag=a&tag=b')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ message: 'hi ada', query: { greeting: 'hi', tag: ['a', 'b'] } })
    expect(res.headers['x-greeted']).toBe('ada')
    expect(res.headers['x-trace-id']).toBe(res.traceId)
  })

  it('validates the body (400 with issues), runs middleware, and 404s an unknown route', async () => {
    const bad = await tester.request('POST', '/orders', { item: 'book', quantity: -1 })
    expect(bad.status).toBe(400)
    expect(bad.body.issues).toEqual([expect.objectContaining({ path: 'quantity' })])
    const blocked = await tester.request('POST', '/orders', { item: 'book', quantity: 1 }, { headers: { 'X-Block': 'yes' } })
    expect(blocked).toMatchObject({ status: 403, body: { error: 'blocked by middleware' } })
    expect(await tester.request('GET', '/nowhere')).toMatchObject({ status: 404, body: { error: 'No route for GET /nowhere.' } })
  })

  it('answers a throwing handler with 500 and its message, as dev does, and logs it', async () => {
    const res = await tester.request('GET', '/crash')
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ error: 'database password is hunter2', traceId: res.traceId })
    expect(tester.logs.some((entry) => entry.level === 'error' && entry.msg.includes('"Crash"'))).toBe(true)
  })

  it('follows a flow to its end with drain(): jobs, emits and state', async () => {
    const res = await tester.request('POST', '/orders', { item: 'lamp', quantity: 2 })
    expect(res.status).toBe(201)
    await tester.drain()
    expect(tester.emitted('order.created')).toContainEqual({
      topic: 'order.created',
      data: { orderId: 'o-lamp', quantity: 2 },
      traceId: res.traceId,
      step: 'CreateOrder',
    })
    expect(tester.emitted('stock.reserved').map((event) => event.data)).toContainEqual({ orderId: 'o-lamp' })
    expect(await tester.state.get('orders', 'o-lamp')).toEqual({ status: 'shipped', traceId: res.traceId })
    const jobs = await tester.jobs({ traceId: res.traceId })
    expect(jobs.map((job) => [job.step, job.status]).sort()).toEqual([
      ['ReserveStock', 'completed'],
      ['ShipOrder', 'completed'],
    ])
  })

  it('emits from outside, rejects data that fails a subscriber schema, and retries at once', async () => {
    await expect(tester.emit('order.created', { orderId: 42 })).rejects.toThrow(/does not match the input schema of step "ReserveStock"/)
    const started = performance.now()
    const traceId = await tester.emit('flaky.run', { id: 'twice', failTimes: 2 })
    await tester.drain()
    // Flaky's backoff is 20-200 ms per retry; the tester skips the waits but not the attempts.
    expect(performance.now() - started).toBeLessThan(1000)
    const [job] = await tester.jobs({ traceId })
    expect(job).toMatchObject({ status: 'completed', attempts: 3 })
    expect(tester.emitted('flaky.run')).toContainEqual({ topic: 'flaky.run', data: { id: 'twice', failTimes: 2 }, traceId, step: null })
  })

  it('runs a cron step on demand, and names a missing one', async () => {
    await tester.runCron('Tick')
    await tester.drain()
    expect(await tester.state.get('cron', 'ticks')).toBe(1)
    expect(await tester.state.get('cron', 'tock')).toEqual({ ticks: 1, sameTrace: true })
    await expect(tester.runCron('Nope')).rejects.toThrow('No cron step named "Nope"')
  })
})

describe('createTester on the demo project', () => {
  it('sends an unsupported upload through its retries to the dead-letter queue', async () => {
    const tester = await createTester({ dir: repoRoot })
    try {
      const res = await tester.request('POST', '/upload', { filename: 'virus.exe', sizeBytes: 10 })
      expect(res.status).toBe(202)
      await tester.drain()
      const [job] = await tester.jobs({ step: 'ProcessFile' })
      expect(job).toMatchObject({ status: 'dead', attempts: 3 })
      expect((await tester.request('GET', `/jobs/${res.body.jobId}`)).body).toMatchObject({ status: 'retrying', attempts: 3 })
      expect(tester.emitted('file.processed')).toEqual([])
    } finally {
      await tester.close()
    }
  })
})

describe('createTester on a broken project', () => {
  it('refuses to start and names every broken file', async () => {
    await expect(createTester({ dir: fixture('broken') })).rejects.toThrow(/broken steps: .*syntax\.step\.ts/)
  })
})
