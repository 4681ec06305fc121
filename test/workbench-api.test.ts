import { networkInterfaces } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogEntry } from '../src/logger/create-logger.ts'
import type { Trace, TraceSummary } from '../src/trace/trace.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('runtime'))
})
afterAll(() => app.close())

async function order(item: string): Promise<string> {
  const response = await app.json<{ traceId: string }>('/orders', { method: 'POST', body: JSON.stringify({ item, quantity: 1 }) })
  expect(response.status).toBe(201)
  await app.runtime.queue.drain()
  return response.headers.get('x-trace-id') as string
}

/** Reads a Server-Sent Events stream until `done` holds for the events seen so far. */
async function readEvents(
  response: Response,
  done: (events: { event: string; data: unknown }[]) => boolean,
): Promise<{ event: string; data: unknown }[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader()
  const events: { event: string; data: unknown }[] = []
  let buffer = ''
  while (!done(events)) {
    const { value, done: ended } = await reader.read()
    if (ended) throw new Error(`stream ended after ${JSON.stringify(events)}`)
    buffer += value
    const frames = buffer.split('\n\n')
    buffer = frames.pop() ?? ''
    for (const frame of frames) {
      const event = /^event: (.+)$/m.exec(frame)?.[1]
      const data = /^data: (.+)$/m.exec(frame)?.[1]
      if (event && data) events.push({ event, data: JSON.parse(data) })
    }
  }
  await reader.cancel()
  return events
}

describe('GET /__motia/traces', () => {
  it('gives the ordered timeline of a request: steps run with durations, emits, state writes', async () => {
    const traceId = await order('lamp')
    const { status, body } = await app.json<Trace>(`/__motia/traces/${traceId}`)
    expect(status).toBe(200)
    expect(body).toMatchObject({ traceId, name: 'POST /orders', status: 'ok', steps: ['CreateOrder', 'ReserveStock', 'ShipOrder'] })
    const story = body.entries.map((entry) =>
      entry.type === 'run' ? `run ${entry.step}` : entry.type === 'emit' ? `emit ${entry.topic}` : entry.type === 'state' ? `state ${entry.group}` : entry.type === 'stream' ? `stream ${entry.stream}` : `log ${entry.msg}`,
    )
    expect(story).toEqual([
      'run CreateOrder',
      'emit order.created',
      'run ReserveStock',
      'state traces',
      'emit stock.reserved',
      'run ShipOrder',
      'state traces',
      'state orders',
    ])
    for (const entry of body.entries) {
      // A job that finishes within its first millisecond has a duration of 0: present, not positive.
      if (entry.type === 'run') expect(entry.durationMs).toBeGreaterThanOrEqual(0)
      expect(entry.offsetMs).toBeGreaterThanOrEqual(0)
    }
    const offsets = body.entries.map((entry) => entry.offsetMs)
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
    expect(body.entries[0]).toMatchObject({ trigger: 'api', method: 'POST', path: '/orders', httpStatus: 201 })
    expect(body.durationMs).toBeGreaterThanOrEqual(body.entries.at(-1)?.offsetMs ?? 0)
  })

  it('lists recent traces newest first, and filters them by step', async () => {
    const first = await order('desk')
    const second = await order('chair')
    await app.fetch('/greet/ada')
    const { body } = await app.json<{ traces: TraceSummary[] }>('/__motia/traces')
    const ids = body.traces.map((trace) => trace.traceId)
    expect(ids.indexOf(second)).toBeLessThan(ids.indexOf(first))
    expect(body.traces[0]).toMatchObject({ name: 'GET /greet/ada', steps: ['Greet'] })
    const byStep = await app.json<{ traces: TraceSummary[] }>('/__motia/traces?step=ShipOrder&limit=2')
    expect(byStep.body.traces.map((trace) => trace.traceId)).toEqual([second, first])
  })

  it('answers 404 with a reason for an unknown trace, and 400 for an unknown status filter', async () => {
    const missing = await app.json<{ error: string }>('/__motia/traces/no-such-trace')
    expect(missing.status).toBe(404)
    expect(missing.body.error).toContain('No trace with id "no-such-trace"')
    const bad = await app.json<{ error: string }>('/__motia/traces?status=great')
    expect(bad.status).toBe(400)
    expect(bad.body.error).toContain('running, ok, error')
  })

  it('records a failing request as an error trace with the logged error', async () => {
    const response = await app.fetch('/crash')
    expect(response.status).toBe(500)
    const traceId = response.headers.get('x-trace-id') as string
    const { body } = await app.json<Trace>(`/__motia/traces/${traceId}`)
    expect(body.status).toBe('error')
    expect(body.entries[0]).toMatchObject({ type: 'run', step: 'Crash', status: 'error', httpStatus: 500 })
    const logged = body.entries.find((entry) => entry.type === 'log' && entry.level === 'error')
    expect(logged).toMatchObject({ step: 'Crash', msg: expect.stringContaining('hunter2') })
  })

  it('records a cron tick triggered by hand as its own trace', async () => {
    await app.json('/__motia/cron/Tick/trigger', { method: 'POST' })
    await app.runtime.queue.drain()
    const { body } = await app.json<{ traces: TraceSummary[] }>('/__motia/traces?step=Tick&limit=1')
    expect(body.traces[0]).toMatchObject({ name: 'Tick (cron)', status: 'ok' })
    const trace = await app.json<Trace>(`/__motia/traces/${body.traces[0]?.traceId}`)
    expect(trace.body.steps).toEqual(['Tick', 'Tock'])
    expect(trace.body.entries.map((entry) => `${entry.type} ${entry.step}`)).toEqual(['run Tick', 'state Tick', 'emit Tick', 'run Tock', 'state Tock'])
    expect(trace.body.entries[0]).toMatchObject({ trigger: 'cron', status: 'ok' })
  })
})

describe('GET /__motia/logs and /__motia/state', () => {
  it('gives the recent log lines of one trace, and the state groups', async () => {
    const response = await app.fetch('/crash')
    const traceId = response.headers.get('x-trace-id') as string
    const { body } = await app.json<{ logs: LogEntry[] }>(`/__motia/logs?traceId=${traceId}&level=error`)
    expect(body.logs).toHaveLength(1)
    expect(body.logs[0]).toMatchObject({ level: 'error', traceId })
    const groups = await app.json<{ groups: string[] }>('/__motia/state')
    expect(groups.body.groups).toEqual(expect.arrayContaining(['orders', 'traces']))
  })
})

describe('GET /__motia/events', () => {
  it('streams trace updates, job events and log lines as they happen', async () => {
    const stream = await app.fetch('/__motia/events')
    expect(stream.headers.get('content-type')).toContain('text/event-stream')
    let traceId = ''
    const seen = readEvents(stream, (events) =>
      traceId !== '' &&
      events.some((item) => item.event === 'jobs' && JSON.stringify(item.data).includes(`"status":"completed","traceId":"${traceId}"`)) &&
      events.some((item) => item.event === 'traces' && JSON.stringify(item.data).includes(traceId)) &&
      events.some((item) => item.event === 'state' && JSON.stringify(item.data).includes('orders')),
    )
    traceId = await order('stream')
    const events = await seen
    expect(events[0]).toEqual({ event: 'hello', data: { mode: 'dev' } })
  })
})

describe('the Workbench', () => {
  it('serves its page and the dagre layout library from the installed package', async () => {
    const page = await app.fetch('/__motia/workbench/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await page.text()).toContain('/__motia/workbench/app.js')
    const dagre = await app.fetch('/__motia/workbench/vendor/dagre.js')
    expect(dagre.headers.get('content-type')).toContain('javascript')
    expect(await dagre.text()).toContain('export{')
  })

  it('is off in start mode unless asked for, and says how to turn it on', async () => {
    const off = await startFixture(fixture('runtime'), { mode: 'start' })
    const on = await startFixture(fixture('runtime'), { mode: 'start', workbench: true })
    try {
      const page = await off.json<{ error: string }>('/__motia/workbench/')
      expect(page.status).toBe(404)
      expect(page.body.error).toContain('--workbench or MOTIA_WORKBENCH=1')
      expect((await off.fetch('/__motia/traces')).status).toBe(404)
      expect((await on.fetch('/__motia/workbench/')).status).toBe(200)
      expect((await on.fetch('/__motia/traces')).status).toBe(200)
    } finally {
      await Promise.all([off.close(), on.close()])
    }
  })
})

/** An address of this machine that is not loopback, so the admin guard treats the test as a remote caller. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === 'IPv4' && !address.internal)?.address

describe.skipIf(!outside)('the Workbench behind MOTIA_ADMIN_TOKEN, seen from the network', () => {
  it('opens with ?token= once, then keeps the token in an HttpOnly cookie for its own requests', async () => {
    const app = await startFixture(fixture('runtime'), { mode: 'start', workbench: true, adminToken: 's3cret', host: outside as string })
    try {
      expect((await app.fetch('/__motia/workbench/')).status).toBe(401)
      expect((await app.fetch('/__motia/workbench/?token=wrong')).status).toBe(401)
      const opened = await app.fetch('/__motia/workbench/?token=s3cret', { redirect: 'manual' })
      expect(opened.status).toBe(303)
      expect(opened.headers.get('location')).toBe('/__motia/workbench/')
      const cookie = opened.headers.get('set-cookie') ?? ''
      expect(cookie).toMatch(/HttpOnly/)
      expect(cookie).toMatch(/SameSite=Strict/)
      const sent = { headers: { cookie: cookie.split(';')[0] as string } }
      expect((await app.fetch('/__motia/workbench/', sent)).status).toBe(200)
      expect((await app.fetch('/__motia/traces', sent)).status).toBe(200)
      expect((await app.fetch('/__motia/traces', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200)
    } finally {
      await app.close()
    }
  })

  it('refuses POST /emit and the jobs API to a network caller without the token, and lets one with it through', async () => {
    const app = await startFixture(fixture('runtime'), { mode: 'start', adminToken: 's3cret', host: outside as string })
    try {
      const emit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'nowhere', data: {} }) }
      expect((await app.fetch('/emit', emit)).status).toBe(401)
      expect((await app.fetch('/__motia/jobs')).status).toBe(401)
      const bearer = { authorization: 'Bearer s3cret' }
      expect((await app.fetch('/emit', { ...emit, headers: { ...emit.headers, ...bearer } })).status).toBe(200)
      expect((await app.fetch('/__motia/jobs', { headers: bearer })).status).toBe(200)
    } finally {
      await app.close()
    }
  })
})

