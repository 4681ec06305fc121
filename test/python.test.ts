import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FlowGraph } from '../src/graph/flow-graph.ts'
import type { Job } from '../src/queue/queue.ts'
import { isRunning, pythonWorkerPids } from './helpers/worker-processes.ts'
import { eventually } from './helpers/spawn-cli.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('python'))
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

describe('Python steps in a flow', () => {
  it('loads every Python step beside the TypeScript ones', async () => {
    const { body } = await app.json<{ steps: { name: string; file: string; type: string }[]; errors: unknown[] }>('/__motia/steps')
    expect(body.errors).toEqual([])
    expect(body.steps.find((step) => step.name === 'EnrichOrder')).toMatchObject({ type: 'event', file: 'steps/enrich_order_step.py' })
    expect(body.steps.find((step) => step.name === 'PyGreet')).toMatchObject({ type: 'api', file: 'steps/greet_api_step.py' })
  })

  it('runs TypeScript API -> Python event step -> TypeScript event step, with state written by Python read by TypeScript', async () => {
    const { status, headers } = await app.json('/orders', {
      method: 'POST',
      body: JSON.stringify({ id: 'o-1', items: [{ price: 2.5, qty: 4 }, { price: 1, qty: 3 }] }),
    })
    expect(status).toBe(202)
    await app.runtime.queue.drain()
    const traceId = headers.get('x-trace-id')
    expect(await app.runtime.state.get('orders', 'o-1')).toEqual({ total: 13, pricedBy: 'python', traceId })
    expect(await app.runtime.state.get('summaries', 'o-1')).toEqual({ total: 13, pricedBy: 'python' })
    const [enriched] = await jobsOf('RecordOrder')
    expect(enriched).toMatchObject({ status: 'completed', traceId, data: { id: 'o-1' } })
  })

  it('binds ctx.logger and print() of a Python handler to its trace and step', async () => {
    const { headers } = await app.json('/orders', { method: 'POST', body: JSON.stringify({ id: 'o-2', items: [] }) })
    await app.runtime.queue.drain()
    const traceId = headers.get('x-trace-id')
    const lines = app.logs.filter((entry) => entry.traceId === traceId && entry.step === 'EnrichOrder')
    expect(lines.map((entry) => [entry.level, entry.msg])).toEqual([
      ['info', 'order priced'],
      ['info', 'priced o-2'],
    ])
    expect(lines[0]?.meta).toMatchObject({ id: 'o-2', total: 0 })
    expect(lines[0]?.flows).toEqual(['orders'])
  })

  it('shows Python steps in the graph like any other step', async () => {
    const { body } = await app.json<FlowGraph>('/__motia/graph?flow=orders')
    expect(body.nodes.map((node) => node.name).sort()).toEqual(['EnrichOrder', 'PlaceOrder', 'RecordOrder'])
    expect(body.nodes.find((node) => node.name === 'EnrichOrder')).toMatchObject({ file: 'steps/enrich_order_step.py' })
    const edges = body.edges.map((edge) => `${edge.from} -${edge.topic}-> ${edge.to}`).sort()
    expect(edges).toEqual(['EnrichOrder -order.enriched-> RecordOrder', 'PlaceOrder -order.placed-> EnrichOrder'])
  })

  it('answers HTTP from a Python API step, with body validation, path and query params and headers', async () => {
    const ok = await app.json<{ text: string; lang: string; traceId: string }>('/py/greet/ada?lang=en', {
      method: 'POST',
      body: JSON.stringify({ greeting: 'Hello' }),
    })
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({ text: 'Hello, ada', lang: 'en', traceId: ok.headers.get('x-trace-id') })
    expect(ok.headers.get('x-python')).toBe('yes')
    const bad = await app.json<{ issues: unknown[] }>('/py/greet/ada', { method: 'POST', body: JSON.stringify({}) })
    expect(bad.status).toBe(400)
    expect(bad.body.issues).toEqual([{ path: 'greeting', message: "must have required property 'greeting'" }])
  })

  it('runs Python cron steps written handler(ctx) and handler(input, ctx)', async () => {
    expect((await app.fetch('/__motia/cron/PyTick/trigger', { method: 'POST' })).status).toBe(200)
    expect((await app.fetch('/__motia/cron/PyTock/trigger', { method: 'POST' })).status).toBe(200)
    expect(await app.runtime.state.get('cron', 'tick')).toEqual({ traceId: expect.any(String) })
    expect(await app.runtime.state.get('cron', 'tock')).toEqual({ input: {} })
  })

  it('offers state get, set, delete, get_group and clear, reported in the activity feed like TypeScript writes', async () => {
    const writes: string[] = []
    const stop = app.runtime.onActivity((activity) => {
      if (activity.type === 'state' && activity.group === 'cart') writes.push(`${activity.step} ${activity.op} ${activity.key}`)
    })
    await emitAndSettle('py.state', {})
    stop()
    expect(await app.runtime.state.get('state-ops', 'seen')).toEqual({
      group: [{ qty: 1 }, { qty: 2 }],
      removed: { qty: 1 },
      missing: null,
      after: [],
    })
    expect(writes).toEqual(['StateOps set apple', 'StateOps set pear', 'StateOps delete apple', 'StateOps clear null'])
  })

  it('runs a plain (sync) Python handler in a thread, its context calls returning values', async () => {
    await emitAndSettle('py.sync', { add: 2 })
    await emitAndSettle('py.sync', { add: 3 })
    expect(await app.runtime.state.get('sync', 'counter')).toBe(5)
    expect(await app.runtime.state.get('sync', 'thread')).toBe(true)
    expect(app.logs.some((entry) => entry.level === 'warn' && entry.msg === 'sync handler ran' && entry.step === 'PlainSync')).toBe(true)
  })
})

describe('Python job semantics', () => {
  it('retries a Python handler that raises, then moves the job to dead with the exception and its traceback', async () => {
    await emitAndSettle('py.fail', { id: 'f-1' })
    const [job] = await jobsOf('AlwaysFails')
    expect(job).toMatchObject({ status: 'dead', attempts: 3, maxAttempts: 3, lastError: 'ValueError: cannot process f-1' })
    expect(job?.errors.map((error) => error.attempt)).toEqual([1, 2, 3])
    const full = await app.runtime.queue.get(job?.id ?? '')
    expect(full?.errors[0]?.stack).toMatch(/always_fails_step\.py", line 12, in handler\n/)
    expect(full?.errors[0]?.stack).not.toContain('runner.py')
  })

  it('sends a NonRetriableError raised in Python straight to dead', async () => {
    await emitAndSettle('py.give-up', {})
    const [job] = await jobsOf('GiveUp')
    expect(job).toMatchObject({ status: 'dead', attempts: 1, lastError: 'this input can never work' })
  })

  it('rejects an undeclared emit with the same EmitNotDeclaredError as TypeScript, catchable in Python', async () => {
    await emitAndSettle('py.careless', { mode: 'undeclared' })
    await emitAndSettle('py.careless', { mode: 'caught' })
    const jobs = await jobsOf('Careless')
    const undeclared = jobs.find((job) => (job.data as { mode: string }).mode === 'undeclared')
    const message =
      'Step "Careless" (steps/careless_step.py) emitted "not.declared", which is not in its config.emits. Add it to emits or remove the emit.'
    expect(undeclared).toMatchObject({ status: 'dead', lastError: message })
    expect(await app.runtime.state.get('careless', 'caught')).toEqual({ type: 'EmitNotDeclaredError', message })
  })

  it("validates a Python emit against the subscriber's input schema", async () => {
    await emitAndSettle('py.careless', { mode: 'invalid' })
    const invalid = (await jobsOf('Careless')).find((job) => (job.data as { mode: string }).mode === 'invalid')
    expect(invalid?.lastError).toMatch(
      /^Step "Careless" \(steps\/careless_step\.py\) emitted "order\.enriched" with data that does not match the input schema of step "RecordOrder".*id/,
    )
  })

  it('validates emits against a Pydantic-style model (model_json_schema) and shows it as JSON Schema', async () => {
    const { body } = await app.json<{ steps: { name: string; config: { input?: unknown } }[] }>('/__motia/steps')
    expect(body.steps.find((step) => step.name === 'TypedInput')?.config.input).toMatchObject({
      title: 'Signup',
      required: ['email', 'plan'],
    })
    await expect(app.runtime.emit({ topic: 'py.signup', data: { email: 'a@b.c', plan: 'gold' } })).rejects.toThrow(
      /does not match the input schema of step "TypedInput".*plan: must be equal to one of the allowed values/,
    )
    await emitAndSettle('py.signup', { email: 'a@b.c', plan: 'pro' })
    expect(await app.runtime.state.get('signups', 'a@b.c')).toEqual({ email: 'a@b.c', plan: 'pro' })
  })

  it('fails a Python attempt that runs past its timeout, and cancels the handler in its worker', async () => {
    await emitAndSettle('py.slow', {})
    const [job] = await jobsOf('TooSlow')
    expect(job).toMatchObject({ status: 'dead', lastError: expect.stringMatching(/did not finish within 0.1 s/) })
    await eventually(async () => ((await app.runtime.state.get('slow', 'cancelled')) ? true : undefined))
  })

  it('carries payloads of several MB both ways', async () => {
    const blob = `${'x'.repeat(6 * 1024 * 1024)}end`
    await emitAndSettle('py.big', { blob })
    expect(await app.runtime.state.get('big', 'python')).toEqual({ length: blob.length, tail: 'xxxxxend' })
    expect(await app.runtime.state.get('big', 'typescript')).toEqual({ length: blob.length + 1, tail: 'xxxxend!' })
  })

  it('completes 200 concurrent Python jobs through a pool of 2 workers, interleaved in each', async () => {
    await Promise.all(Array.from({ length: 200 }, (_, n) => app.runtime.emit({ topic: 'py.many', data: { n } })))
    await app.runtime.queue.drain()
    const done = (await app.runtime.state.getGroup<{ pid: number; peak: number }>('many'))
    expect(done).toHaveLength(200)
    const pids = new Set(done.map((entry) => entry.pid))
    expect(pids.size).toBeLessThanOrEqual(2)
    expect(Math.max(...done.map((entry) => entry.peak))).toBeGreaterThan(10)
    expect(pythonWorkerPids()).toHaveLength(2)
  })

  it('fails the attempt of a job whose worker dies, retries it in a new worker, and keeps serving', async () => {
    const before = pythonWorkerPids()
    await emitAndSettle('py.crash', { id: 'c-1' })
    const [job] = await jobsOf('CrashOnce')
    expect(job).toMatchObject({ status: 'completed', attempts: 2 })
    expect(job?.errors[0]?.message).toMatch(/^The Python worker \(pid \d+, python3\) exited with code 3 before the call finished/)
    const crashed = (await app.runtime.state.get<{ crashedIn: number }>('crash', 'c-1'))?.crashedIn
    expect(before).toContain(crashed)
    expect(pythonWorkerPids()).not.toContain(crashed)
    expect(app.logs.some((entry) => entry.level === 'warn' && entry.msg.includes(`Python worker (pid ${crashed}) exited`))).toBe(true)
    const { status } = await app.json('/py/greet/bo', { method: 'POST', body: JSON.stringify({ greeting: 'Hi' }) })
    expect(status).toBe(200)
  })

  it('gives a Python step with infrastructure.queue.batch a list of inputs, in queue order', async () => {
    await Promise.all([1, 2, 3, 4].map((n) => app.runtime.emit({ topic: 'py.row', data: { n } })))
    await app.runtime.queue.drain()
    const batches = (await app.runtime.state.getGroup<{ ns: number[] }>('py-batches')).map((batch) => batch.ns)
    expect(batches.flat().sort()).toEqual([1, 2, 3, 4])
    expect(batches.every((ns) => ns.length <= 3)).toBe(true)
    const jobs = await jobsOf('PyBatchRows')
    expect(jobs.every((job) => job.status === 'completed' && typeof job.batchId === 'string')).toBe(true)
    expect(new Set(jobs.map((job) => job.batchId)).size).toBe(batches.length)
  })

  it('stops every worker process on close', async () => {
    const others = pythonWorkerPids()
    const local = await startFixture(fixture('python'))
    const started = pythonWorkerPids().filter((pid) => !others.includes(pid))
    expect(started).toHaveLength(2)
    await Promise.all([local.close(), local.close()])
    for (const pid of started) expect(isRunning(pid)).toBe(false)
    expect(pythonWorkerPids()).toEqual(others)
  })
})
