import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisUrl, removeKeys, uniquePrefix } from '../src/backends/redis/redis-test-support.ts'
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts'
import { eventually, type ServerProcess, spawnServer } from './helpers/spawn-cli.ts'
import { copyFixture } from './helpers/start-fixture.ts'

const SERVER = 2
const PRODUCER = 4
const CONSUMER = 5

/** The environment that points a server's OpenTelemetry export at the receiver, flushing quickly. */
function otelEnv(receiver: OtlpReceiver, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'orders-test',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_METRIC_EXPORT_INTERVAL: '200',
    ...extra,
  }
}

async function placeOrder(server: ServerProcess, body: object, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${server.url}/orders/north`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(202)
  return response.headers.get('x-trace-id') ?? ''
}

/** The spans of one order, once the request, both emits and `attempts` ShipOrder attempts have arrived. */
async function orderSpans(receiver: OtlpReceiver, orderTraceId: string, attempts: number): Promise<ReceivedSpan[]> {
  const ofOrder = () => receiver.spans.filter((span) => span.attributes['motia.trace_id'] === orderTraceId)
  try {
    return await eventually(async () => {
      const spans = ofOrder()
      const ships = spans.filter((span) => span.name === 'ShipOrder')
      return spans.length >= 4 + attempts && ships.length === attempts ? spans : undefined
    }, 15_000)
  } catch {
    const arrived = ofOrder().map((span) => `${span.name} (${String(span.attributes['motia.job.outcome'] ?? span.resource['service.instance.id'] ?? '')})`)
    throw new Error(`Trace ${orderTraceId} should have 4 spans and ${attempts} ShipOrder attempts within 15 s; the receiver has: ${arrived.join(', ') || 'none'}.`)
  }
}

function only(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((span) => span.name === name)
  expect(found.map((span) => span.name)).toEqual([name])
  return found[0] as ReceivedSpan
}

/** Checks the parent links of API → order.placed → CheckOrder → order.checked → ShipOrder; returns the spans by name. */
function expectOrderChain(spans: ReceivedSpan[]) {
  const request = only(spans, 'POST /orders/:shop')
  const placed = only(spans, 'send order.placed')
  const check = only(spans, 'CheckOrder')
  const checked = only(spans, 'send order.checked')
  const ships = spans.filter((span) => span.name === 'ShipOrder')
  expect(new Set(spans.map((span) => span.traceId)).size).toBe(1)
  expect(placed.parentSpanId).toBe(request.spanId)
  expect(check.parentSpanId).toBe(placed.spanId)
  expect(checked.parentSpanId).toBe(check.spanId)
  for (const ship of ships) expect(ship.parentSpanId).toBe(checked.spanId)
  expect([request.kind, placed.kind, check.kind, checked.kind]).toEqual([SERVER, PRODUCER, CONSUMER, PRODUCER])
  return { request, placed, check, checked, ships }
}

describe('OpenTelemetry export to an OTLP/HTTP receiver', () => {
  let receiver: OtlpReceiver
  let project: ReturnType<typeof copyFixture>
  let server: ServerProcess
  beforeAll(async () => {
    receiver = await startOtlpReceiver()
    project = copyFixture('telemetry')
    server = await spawnServer('start', project.dir, ['--memory'], otelEnv(receiver))
  })
  afterAll(async () => {
    await server?.stop()
    await receiver?.close()
    project?.remove()
  })

  it('traces a request through API → event → event with parent links, job attributes and state events', async () => {
    const traceId = await placeOrder(server, { id: 'o-1', failShipping: true })
    const { request, placed, check, checked, ships } = expectOrderChain(await orderSpans(receiver, traceId, 2))

    // Our traceId is the OpenTelemetry trace id, without its dashes, when no caller sent a traceparent.
    expect(request.traceId).toBe(traceId.replaceAll('-', ''))
    expect(request.parentSpanId).toBe('')
    expect(request.resource['service.name']).toBe('orders-test')
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/orders/:shop',
      'url.path': '/orders/north',
      'http.response.status_code': 202,
      'motia.step': 'PlaceOrder',
    })
    expect(placed.attributes).toMatchObject({ 'messaging.destination.name': 'order.placed', 'motia.step': 'PlaceOrder' })
    expect(check.attributes).toMatchObject({
      'messaging.destination.name': 'order.placed',
      'motia.step': 'CheckOrder',
      'motia.job.attempt': 1,
      'motia.job.outcome': 'completed',
    })
    expect(check.events).toEqual([{ name: 'state.set', attributes: { 'motia.state.group': 'orders', 'motia.state.key': 'o-1' } }])
    expect(checked.attributes['motia.step']).toBe('CheckOrder')

    const [first, second] = [...ships].sort((a, b) => Number(a.attributes['motia.job.attempt']) - Number(b.attributes['motia.job.attempt']))
    expect(first?.attributes).toMatchObject({ 'motia.job.attempt': 1, 'motia.job.max_attempts': 2, 'motia.job.outcome': 'retry', 'error.type': 'Error' })
    expect(first?.attributes['motia.job.id']).toBe(second?.attributes['motia.job.id'])
    expect(Date.parse(String(first?.attributes['motia.job.retry_at']))).toBeGreaterThan(0)
    expect(first?.status).toMatchObject({ code: 2, message: 'carrier unavailable for o-1' })
    expect(second?.attributes).toMatchObject({ 'motia.job.attempt': 2, 'motia.job.outcome': 'completed' })
  })

  it("continues the caller's trace from its traceparent header", async () => {
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736'
    const callerSpan = '00f067aa0ba902b7'
    const traceId = await placeOrder(server, { id: 'o-2' }, { traceparent: `00-${callerTrace}-${callerSpan}-01` })
    const { request, ships } = expectOrderChain(await orderSpans(receiver, traceId, 1))
    expect(request.traceId).toBe(callerTrace)
    expect(request.parentSpanId).toBe(callerSpan)
    expect(request.attributes['motia.trace_id']).toBe(traceId)
    expect(ships[0]?.traceId).toBe(callerTrace)
  })

  it('exports job counters per step, the duration histograms, the queue depth and the event-loop delay', async () => {
    const completed = await eventually(async () => {
      const point = receiver.points.findLast((p) => p.metric === 'motia.jobs.completed' && p.attributes['motia.step'] === 'ShipOrder')
      return point && point.value >= 2 ? point : undefined
    }, 10_000)
    expect(completed.value).toBe(2)
    // Every metric of one export: the last one, taken after both orders had shipped.
    const last = (metric: string, attributes: Record<string, string | number>) =>
      receiver.points.findLast((p) => p.metric === metric && Object.entries(attributes).every(([key, value]) => p.attributes[key] === value))
    const ship = { 'motia.step': 'ShipOrder' }
    expect(last('motia.jobs.failed', ship)).toMatchObject({ type: 'sum', value: 1 })
    expect(last('motia.jobs.started', ship)).toMatchObject({ type: 'sum', value: 3 })
    expect(last('motia.jobs.dead', ship)).toMatchObject({ type: 'sum', value: 0 })
    expect(last('motia.job.attempt.duration', { ...ship, 'motia.job.outcome': 'completed' })).toMatchObject({ type: 'histogram', value: 2 })
    expect(last('motia.job.attempt.duration', { ...ship, 'motia.job.outcome': 'failed' })).toMatchObject({ type: 'histogram', value: 1 })
    expect(last('motia.job.queue_wait', ship)).toMatchObject({ type: 'histogram', value: 3 })
    const requests = last('http.server.request.duration', { 'http.route': '/orders/:shop', 'http.request.method': 'POST', 'http.response.status_code': 202 })
    expect(requests).toMatchObject({ type: 'histogram', value: 2 })
    expect(requests?.sum).toBeGreaterThan(0)
    expect(last('motia.queue.depth', { ...ship, 'motia.job.status': 'pending' })).toMatchObject({ type: 'gauge', value: 0 })
    expect(last('nodejs.eventloop.delay.max', {})?.type).toBe('gauge')
  })
})

describe('OpenTelemetry export on stop', () => {
  it('sends the spans ended and the metrics counted just before the server stops, with no export due before then', async () => {
    const receiver = await startOtlpReceiver()
    const project = copyFixture('telemetry')
    // Exports a minute away: only the flush on stop can deliver these spans and metrics.
    const server = await spawnServer('start', project.dir, ['--memory'], otelEnv(receiver, { OTEL_BSP_SCHEDULE_DELAY: '60000', OTEL_METRIC_EXPORT_INTERVAL: '60000' }))
    try {
      const traceId = await placeOrder(server, { id: 'o-stop' })
      expect(await server.stop()).toBe(0)
      const spans = receiver.spans.filter((span) => span.attributes['motia.trace_id'] === traceId)
      expect(spans.map((span) => span.name)).toContain('POST /orders/:shop')
      expect(spans.map((span) => span.name)).toContain('send order.placed')
      const requests = receiver.points.filter((point) => point.metric === 'http.server.request.duration' && point.attributes['http.route'] === '/orders/:shop')
      expect(requests.map((point) => point.value)).toEqual([1])
    } finally {
      await server.stop()
      await receiver.close()
      project.remove()
    }
  })
})

describe('OpenTelemetry export through Python and Ruby steps', () => {
  let receiver: OtlpReceiver
  let project: ReturnType<typeof copyFixture>
  let server: ServerProcess
  beforeAll(async () => {
    receiver = await startOtlpReceiver()
    project = copyFixture('telemetry-workers')
    server = await spawnServer('start', project.dir, ['--memory'], otelEnv(receiver))
  })
  afterAll(async () => {
    await server?.stop()
    await receiver?.close()
    project?.remove()
  })

  it('links API → Python step → Ruby step like any other attempts, with their state writes', async () => {
    const response = await fetch(`${server.url}/audits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"a-1"}' })
    expect(response.status).toBe(202)
    const traceId = response.headers.get('x-trace-id') ?? ''
    const spans = await eventually(async () => {
      const found = receiver.spans.filter((span) => span.attributes['motia.trace_id'] === traceId)
      return found.length === 5 ? found : undefined
    }, 15_000)
    const request = only(spans, 'POST /audits')
    const requested = only(spans, 'send audit.requested')
    const python = only(spans, 'PythonAudit')
    const checked = only(spans, 'send audit.checked')
    const ruby = only(spans, 'RubyAudit')
    expect([requested.parentSpanId, python.parentSpanId, checked.parentSpanId, ruby.parentSpanId]).toEqual([
      request.spanId,
      requested.spanId,
      python.spanId,
      checked.spanId,
    ])
    expect(python.events.map((event) => event.name)).toEqual(['state.set'])
    expect(ruby.events.map((event) => event.attributes['motia.state.group'])).toEqual(['audits-filed'])
    expect(ruby.attributes['motia.job.outcome']).toBe('completed')
  })
})

describe.skipIf(!redisUrl)('OpenTelemetry export across two start processes on one Redis', () => {
  const prefix = uniquePrefix('otel')
  const redisEnv = { MOTIA_REDIS_URL: redisUrl ?? '', MOTIA_REDIS_PREFIX: prefix }
  let receiver: OtlpReceiver
  let project: ReturnType<typeof copyFixture>
  let servers: ServerProcess[] = []
  beforeAll(async () => {
    receiver = await startOtlpReceiver()
    project = copyFixture('telemetry')
    servers = await Promise.all(
      ['first', 'second'].map((name) =>
        spawnServer('start', project.dir, [], otelEnv(receiver, { ...redisEnv, OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${name}` })),
      ),
    )
  })
  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop()))
    const client = new Redis(redisUrl ?? '')
    await removeKeys(client, prefix)
    await client.quit()
    await receiver?.close()
    project?.remove()
  })

  it('links every attempt to the emit that queued it, also when another process runs it', async () => {
    const [first] = servers
    if (!first) throw new Error('no server started')
    const traceIds = await Promise.all(Array.from({ length: 20 }, (_, i) => placeOrder(first, { id: `r-${i}`, failShipping: i === 0 })))
    let crossings = 0
    for (const [i, traceId] of traceIds.entries()) {
      const spans = await orderSpans(receiver, traceId, i === 0 ? 2 : 1)
      const { placed, check, checked, ships } = expectOrderChain(spans)
      const instance = (span: ReceivedSpan) => span.resource['service.instance.id']
      if (instance(placed) !== instance(check)) crossings += 1
      for (const ship of ships) if (instance(checked) !== instance(ship)) crossings += 1
    }
    // Both processes take jobs, so some attempts run in the process that did not emit them.
    expect(crossings).toBeGreaterThan(0)
    const instances = new Set(receiver.spans.filter((span) => span.kind === CONSUMER).map((span) => span.resource['service.instance.id']))
    expect(instances).toEqual(new Set(['first', 'second']))
  })
})
