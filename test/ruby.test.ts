import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FlowGraph } from '../src/graph/flow-graph.ts'
import type { Job } from '../src/queue/queue.ts'
import { workerPids } from './helpers/worker-processes.ts'
import { eventually, runCli } from './helpers/spawn-cli.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('ruby'))
})
afterAll(() => app.close())

async function jobsOf(step: string): Promise<Job[]> {
  const { body } = await app.json<{ jobs: Job[] }>(`/__motia/jobs?step=${step}`)
  return body.jobs
}

async function emitAndSettle(topic: string, data: unknown): Promise<string> {
  const traceId = await app.runtime.emit({ topic, data })
  await app.runtime.queue.drain()
  return traceId
}

describe('Ruby steps in a flow', () => {
  it('loads every Ruby step beside the TypeScript and Python ones', async () => {
    const { body } = await app.json<{ steps: { name: string; file: string; type: string }[]; errors: unknown[] }>('/__motia/steps')
    expect(body.errors).toEqual([])
    expect(body.steps.find((step) => step.name === 'PriceOrder')).toMatchObject({ type: 'event', file: 'steps/price_order.step.rb' })
    expect(body.steps.find((step) => step.name === 'RbGreet')).toMatchObject({ type: 'api', file: 'steps/greet_api_step.rb' })
    expect(body.steps.find((step) => step.name === 'TaxOrder')).toMatchObject({ file: 'steps/tax_order_step.py' })
  })

  it('runs TypeScript API -> Ruby -> Python -> TypeScript in one trace, sharing state, the Ruby step retried once', async () => {
    const { status, headers } = await app.json('/orders', {
      method: 'POST',
      body: JSON.stringify({ id: 'o-1', items: [{ price: 2.5, qty: 4 }, { price: 1, qty: 3 }] }),
    })
    expect(status).toBe(202)
    await app.runtime.queue.drain()
    const traceId = headers.get('x-trace-id')
    expect(await app.runtime.state.get('summaries', 'o-1')).toEqual({
      items: [{ price: 2.5, qty: 4 }, { price: 1, qty: 3 }],
      submittedBy: 'typescript',
      total: 13,
      pricedBy: 'ruby',
      traceId,
      taxed: 15.6,
      taxedBy: 'python',
      recordedBy: 'typescript',
    })
    const [priced] = await jobsOf('PriceOrder')
    expect(priced).toMatchObject({ status: 'completed', attempts: 2, traceId })
    expect(priced?.errors.map((error) => error.message)).toEqual(['IOError: pricing service unavailable for o-1'])
    for (const step of ['TaxOrder', 'RecordOrder']) {
      expect(await jobsOf(step)).toEqual([expect.objectContaining({ status: 'completed', attempts: 1, traceId })])
    }
    const { body: trace } = await app.json<{ steps: string[] }>(`/__motia/traces/${traceId}`)
    expect(trace.steps).toEqual(expect.arrayContaining(['SubmitOrder', 'PriceOrder', 'TaxOrder', 'RecordOrder']))
  })

  it('binds context.logger and puts of a Ruby handler to its trace and step', async () => {
    const { headers } = await app.json('/orders', { method: 'POST', body: JSON.stringify({ id: 'o-2', items: [] }) })
    await app.runtime.queue.drain()
    const traceId = headers.get('x-trace-id')
    const lines = app.logs.filter((entry) => entry.traceId === traceId && entry.step === 'PriceOrder' && entry.level === 'info')
    expect(lines.map((entry) => [entry.level, entry.msg])).toEqual([
      ['info', 'order priced'],
      ['info', 'priced o-2'],
    ])
    expect(lines[0]?.meta).toMatchObject({ id: 'o-2', total: 0, attempt: 2 })
    expect(lines[0]?.flows).toEqual(['polyglot'])
  })

  it('shows Ruby steps in the graph like any other step', async () => {
    const { body } = await app.json<FlowGraph>('/__motia/graph?flow=polyglot')
    const edges = body.edges.map((edge) => `${edge.from} -${edge.topic}-> ${edge.to}`).sort()
    expect(edges).toEqual([
      'PriceOrder -order.priced-> TaxOrder',
      'SubmitOrder -order.submitted-> PriceOrder',
      'TaxOrder -order.taxed-> RecordOrder',
    ])
    expect(body.nodes.find((node) => node.name === 'PriceOrder')).toMatchObject({
      file: 'steps/price_order.step.rb',
      inputSchema: { type: 'object', required: ['id'] },
    })
  })

  it('answers HTTP from a Ruby API step, with body validation, path and query params and headers', async () => {
    const ok = await app.json<Record<string, unknown>>('/rb/greet/ada?lang=en', {
      method: 'POST',
      headers: { 'x-agent': 'test' },
      body: JSON.stringify({ greeting: 'Hello' }),
    })
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({ text: 'Hello, ada', lang: 'en', agent: 'test', traceId: ok.headers.get('x-trace-id') })
    expect(ok.headers.get('x-ruby')).toBe('yes')
    const bad = await app.json<{ issues: unknown[] }>('/rb/greet/ada', { method: 'POST', body: JSON.stringify({}) })
    expect(bad.status).toBe(400)
    expect(bad.body.issues).toEqual([{ path: 'greeting', message: "must have required property 'greeting'" }])
  })

  it('runs Ruby cron steps written handler(context) and handler(input, context)', async () => {
    expect((await app.fetch('/__motia/cron/RbTick/trigger', { method: 'POST' })).status).toBe(200)
    expect((await app.fetch('/__motia/cron/RbTock/trigger', { method: 'POST' })).status).toBe(200)
    expect(await app.runtime.state.get('rb-cron', 'tick')).toEqual({ traceId: expect.any(String) })
    expect(await app.runtime.state.get('rb-cron', 'tock')).toEqual({ input: {} })
  })

  it('offers state get, set, delete, get_group and clear, returning values directly', async () => {
    await emitAndSettle('rb.state', {})
    expect(await app.runtime.state.get('rb-state-ops', 'seen')).toEqual({
      group: [{ qty: 1 }, { qty: 2 }],
      removed: { qty: 1 },
      missing: null,
      after: [],
    })
  })

  it('keeps two Ruby files that both define handler, a helper and a constant apart', async () => {
    await emitAndSettle('rb.both', {})
    expect(await app.runtime.state.getGroup('labels')).toEqual(['label a', 'label b'])
  })
})

describe('Ruby job semantics', () => {
  it('retries a Ruby handler that raises, then moves the job to dead with its Ruby backtrace, shown by jobs show', async () => {
    await emitAndSettle('rb.fail', { id: 'f-1' })
    const [job] = await jobsOf('RubyAlwaysFails')
    expect(job).toMatchObject({ status: 'dead', attempts: 3, maxAttempts: 3, lastError: 'ReportError: no data for report f-1' })
    const port = new URL(app.url).port
    const shown = await runCli(['jobs', 'show', job?.id ?? '', '--port', port], fixture('ruby'))
    expect(shown.code).toBe(0)
    const printed = JSON.parse(shown.stdout) as Job & { errors: { stack?: string }[] }
    expect(printed.errors).toHaveLength(3)
    expect(printed.errors[2]?.stack).toMatch(
      /^RubyHandlerError: ReportError: no data for report f-1\n.*always_fails\.step\.rb:19:in `build_report'\n\tfrom .*always_fails\.step\.rb:15:in `handler'$/,
    )
  })

  it('sends a MotiaLike::NonRetriableError straight to dead', async () => {
    await emitAndSettle('rb.give-up', {})
    const [job] = await jobsOf('RbGiveUp')
    expect(job).toMatchObject({ status: 'dead', attempts: 1, lastError: 'this input can never work' })
  })

  it('raises MotiaLike::EmitNotDeclaredError for an undeclared emit, catchable in Ruby, and validates emitted data', async () => {
    await emitAndSettle('rb.careless', { mode: 'undeclared' })
    await emitAndSettle('rb.careless', { mode: 'caught' })
    await emitAndSettle('rb.careless', { mode: 'invalid' })
    const jobs = await jobsOf('RbCareless')
    const byMode = (mode: string) => jobs.find((job) => (job.data as { mode: string }).mode === mode)
    const message =
      'Step "RbCareless" (steps/careless.step.rb) emitted "not.declared", which is not in its config.emits. Add it to emits or remove the emit.'
    expect(byMode('undeclared')).toMatchObject({ status: 'dead', lastError: message })
    expect(await app.runtime.state.get('rb-careless', 'caught')).toEqual({ type: 'MotiaLike::EmitNotDeclaredError', message, motia: true })
    expect(byMode('invalid')?.lastError).toMatch(
      /^Step "RbCareless" \(steps\/careless\.step\.rb\) emitted "order\.taxed" with data that does not match the input schema of step "RecordOrder"/,
    )
  })

  it('gives a Ruby step with infrastructure.queue.batch an array of inputs, in queue order', async () => {
    await Promise.all([1, 2, 3, 4].map((n) => app.runtime.emit({ topic: 'rb.row', data: { n } })))
    await app.runtime.queue.drain()
    const batches = (await app.runtime.state.getGroup<{ ns: number[] }>('rb-batches')).map((batch) => batch.ns)
    expect(batches.flat().sort()).toEqual([1, 2, 3, 4])
    expect(batches.every((ns) => ns.length <= 3)).toBe(true)
    const jobs = await jobsOf('RbBatchRows')
    expect(new Set(jobs.map((job) => job.batchId)).size).toBe(batches.length)
  })

  it('fails a Ruby attempt that runs past its timeout, and interrupts the handler in its worker', async () => {
    await emitAndSettle('rb.slow', {})
    const [job] = await jobsOf('RbTooSlow')
    expect(job).toMatchObject({ status: 'dead', lastError: expect.stringMatching(/did not finish within 0.1 s/) })
    await eventually(async () => ((await app.runtime.state.get('rb-slow', 'interrupted')) ? true : undefined))
  })

  it('completes 200 concurrent Ruby jobs through a pool of 2 workers, interleaved in each', async () => {
    await Promise.all(Array.from({ length: 200 }, (_, n) => app.runtime.emit({ topic: 'rb.many', data: { n } })))
    await app.runtime.queue.drain()
    const done = await app.runtime.state.getGroup<{ pid: number; peak: number }>('rb-many')
    expect(done).toHaveLength(200)
    expect(new Set(done.map((entry) => entry.pid)).size).toBeLessThanOrEqual(2)
    expect(Math.max(...done.map((entry) => entry.peak))).toBeGreaterThan(10)
    expect(workerPids('runner.rb')).toHaveLength(2)
  })

  it('fails the attempt of a job whose worker dies, retries it in a new worker, and keeps serving', async () => {
    const before = workerPids('runner.rb')
    await emitAndSettle('rb.crash', { id: 'c-1' })
    const [job] = await jobsOf('RbCrashOnce')
    expect(job).toMatchObject({ status: 'completed', attempts: 2 })
    expect(job?.errors[0]?.message).toMatch(/^The Ruby worker \(pid \d+, ruby\) exited with code 3 before the call finished/)
    const crashed = (await app.runtime.state.get<{ crashedIn: number }>('rb-crash', 'c-1'))?.crashedIn
    expect(before).toContain(crashed)
    expect(workerPids('runner.rb')).not.toContain(crashed)
    const { status } = await app.json('/rb/greet/bo', { method: 'POST', body: JSON.stringify({ greeting: 'Hi' }) })
    expect(status).toBe(200)
  })
})
