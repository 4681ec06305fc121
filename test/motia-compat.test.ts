import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTester } from '../src/testing/create-tester.ts'
import { runCli } from './helpers/spawn-cli.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('motia-compat'))
})
afterAll(() => app.close())

describe('step files written for Motia', () => {
  it('load unchanged: CommonJS guide examples and a Motia 0.17 TypeScript step', async () => {
    const { body } = await app.json<{ steps: { name: string }[]; errors: unknown[] }>('/__motia/steps')
    expect(body.errors).toEqual([])
    expect(body.steps.map((step) => step.name)).toEqual(['Cleanup', 'Dormant', 'OnProcessed', 'ProcessFile', 'StripeWebhook', 'Upload', 'Wrapped'])
  })

  it('run the guide flow: API, background job, follow-up step', async () => {
    const { status, body } = await app.json<{ fileId: string; status: string }>('/upload', {
      method: 'POST',
      body: JSON.stringify({ filename: 'report.pdf' }),
    })
    expect(status).toBe(202)
    expect(body.status).toBe('processing')
    await app.runtime.queue.drain()
    expect(await app.runtime.state.get('processed_files', body.fileId)).toEqual({ fileId: body.fileId, pages: 3 })
    expect(await app.runtime.state.get('done', body.fileId)).toMatchObject({ pages: 3 })
  })

  it('give a cron handler written as (input, ctx) its context', async () => {
    const triggered = await app.json('/__motia/cron/Cleanup/trigger', { method: 'POST' })
    expect(triggered.status).toBe(200)
    expect(await app.runtime.state.getGroup('processed_files')).toEqual([])
    expect(app.logs.some((entry) => entry.step === 'Cleanup' && /Cleanup completed: 1 items removed/.test(entry.msg))).toBe(true)
  })
})

describe('Motia behaviour the example apps rely on', () => {
  const payload = { id: 'evt_1', type: 'invoice.paid', data: { object: { amount: 900, currency: 'eur' } } }

  it('hands the handler the body as sent, undeclared fields included, with the parsed copy beside it', async () => {
    const { status, body } = await app.json('/webhooks/stripe', { method: 'POST', body: JSON.stringify(payload) })
    expect(status).toBe(200)
    expect(body).toEqual({ received: payload, parsed: { type: 'invoice.paid', livemode: false } })
    const bad = await app.json('/webhooks/stripe', { method: 'POST', body: JSON.stringify({ id: 'evt_2' }) })
    expect(bad.status).toBe(400)
  })

  it('gives the same body through the in-process tester as over HTTP', async () => {
    const tester = await createTester({ dir: fixture('motia-compat') })
    try {
      const response = await tester.request('POST', '/webhooks/stripe', payload)
      expect(response.status).toBe(200)
      expect(response.body).toEqual({ received: payload, parsed: { type: 'invoice.paid', livemode: false } })
    } finally {
      await tester.close()
    }
  })

  it('gives a handler that spreads its context every field: logger, state, streams, emit, traceId', async () => {
    // dev records traces, so its contexts report stream writes; start records nothing and shares one streams object.
    const started = await startFixture(fixture('motia-compat'), { mode: 'start' })
    try {
      for (const [mode, server] of [['dev', app], ['start', started]] as const) {
        const noteId = `note-${mode}`
        const { status, body, headers } = await server.json<{ keys: string[] }>('/wrapped', { method: 'POST', body: JSON.stringify({ id: noteId, text: mode }) })
        expect(status).toBe(200)
        expect(body.keys).toEqual(['emit', 'logger', 'noteId', 'state', 'streams', 'traceId'])
        const traceId = headers.get('x-trace-id') as string
        expect(await server.runtime.state.get('notes', noteId)).toEqual({ traceId })
        expect(await server.runtime.streams.store.get('notes', 'wrapped', noteId)).toEqual({ id: noteId, text: mode })
        expect(server.logs.filter((entry) => entry.traceId === traceId && entry.step === 'Wrapped').map((entry) => entry.msg)).toEqual([
          'Taking a note through the wrapped context',
        ])
        // Nothing subscribes to the topic: the emitter says so, which shows the emit reached it.
        expect(server.logs.some((entry) => entry.meta['traceId'] === traceId && entry.msg === 'No step subscribes to "note.taken"; the event was not queued.')).toBe(true)
        if (mode === 'dev') {
          const trace = await app.json<{ counts: { streamWrites: number } }>(`/__motia/traces/${traceId}`)
          expect(trace.body.counts.streamWrites).toBe(1)
        }
      }
    } finally {
      await started.close()
    }
  })

  it('loads an event step with subscribes: [] and warns in the graph that it never runs', async () => {
    const { body } = await app.json<{ warnings: { code: string; step?: string; message: string }[] }>('/__motia/graph')
    const warning = body.warnings.find((entry) => entry.code === 'step-without-subscriptions')
    expect(warning).toMatchObject({ step: 'Dormant' })
    expect(warning?.message).toMatch(/steps\/events\/dormant\.step\.ts.*subscribes to no topic/)
  })

  it('keeps machine output on stdout clean of what step modules print at import', async () => {
    const dir = fixture('motia-compat')
    const graph = await runCli(['graph', '--format', 'json', '--dir', dir], dir)
    expect(graph.code).toBe(0)
    expect(JSON.parse(graph.stdout).nodes.map((node: { name: string }) => node.name)).toContain('StripeWebhook')
    expect(graph.stderr).toContain('[dotenv@17.2.3] injecting env')
    const openapi = await runCli(['generate', 'openapi', '--out', '-', '--dir', dir], dir)
    expect(openapi.code).toBe(0)
    expect(Object.keys(JSON.parse(openapi.stdout).paths)).toContain('/webhooks/stripe')
    expect(openapi.stderr).toContain('[dotenv@17.2.3] injecting env')
  })
})
