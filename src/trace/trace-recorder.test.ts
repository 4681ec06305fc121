import { describe, expect, it } from 'vitest'
import type { LogEntry } from '../logger/create-logger.ts'
import type { Job } from '../queue/queue.ts'
import type { TraceEntry } from './trace.ts'
import { createTraceRecorder } from './trace-recorder.ts'

const T = 'trace-1'

function job(fields: Partial<Job> & { id: string; step: string; topic: string }): Job {
  return {
    data: {},
    traceId: T,
    status: 'running',
    attempts: 1,
    maxAttempts: 3,
    lastError: null,
    errors: [],
    messageGroupId: null,
    priority: 0,
    createdAt: 1000,
    startedAt: 1000,
    finishedAt: null,
    runAt: 1000,
    ...fields,
  }
}

function log(fields: Partial<LogEntry> & { time: number; msg: string }): LogEntry {
  return { level: 'info', meta: {}, traceId: T, ...fields }
}

const line = (entry: TraceEntry): string => {
  if (entry.type === 'run') return `${entry.offsetMs} run ${entry.step} ${entry.status} ${entry.durationMs}`
  if (entry.type === 'emit') return `${entry.offsetMs} emit ${entry.topic}`
  if (entry.type === 'state') return `${entry.offsetMs} state ${entry.op} ${entry.group}/${entry.key}`
  if (entry.type === 'stream') return `${entry.offsetMs} stream ${entry.op} ${entry.stream}/${entry.group}/${entry.id}`
  return `${entry.offsetMs} log ${entry.level} ${entry.msg}`
}

/** Feeds the recorder one request that emits to a job which writes state and logs. */
function recordRequest(recorder = createTraceRecorder(), traceId = T, at = 1000) {
  recorder.invocation({ phase: 'start', id: at, kind: 'api', at, traceId, step: 'CreateOrder', method: 'POST', path: '/orders?x=1' })
  recorder.activity({ type: 'emit', at: at + 2, traceId, step: 'CreateOrder', topic: 'order.created', data: { id: 1 } })
  recorder.invocation({ phase: 'end', id: at, kind: 'api', at: at + 5, traceId, step: 'CreateOrder', durationMs: 4.5, status: 201 })
  const reserve = job({ id: `j-${at}`, step: 'ReserveStock', topic: 'order.created', traceId, createdAt: at + 1, startedAt: at + 6 })
  recorder.job({ type: 'started', job: reserve })
  recorder.activity({ type: 'state', at: at + 7, traceId, step: 'ReserveStock', op: 'set', group: 'stock', key: 'lamp' })
  recorder.log(log({ time: at + 8, msg: 'reserved', step: 'ReserveStock', traceId, meta: { item: 'lamp' } }))
  recorder.job({ type: 'completed', job: { ...reserve, status: 'completed', finishedAt: at + 9 }, durationMs: 3 })
  return recorder
}

describe('trace recorder', () => {
  it('gives one trace its runs, emits, state writes and logs in time order, with durations on runs', () => {
    const trace = recordRequest().get(T)
    expect(trace?.entries.map(line)).toEqual([
      '0 run CreateOrder ok 4.5',
      '2 emit order.created',
      '6 run ReserveStock ok 3',
      '7 state set stock/lamp',
      '8 log info reserved',
    ])
    expect(trace).toMatchObject({
      name: 'POST /orders',
      status: 'ok',
      startedAt: 1000,
      durationMs: 9,
      steps: ['CreateOrder', 'ReserveStock'],
      counts: { runs: 2, emits: 1, stateWrites: 1, streamWrites: 0, logs: 1, errors: 0 },
    })
    expect(trace?.entries[0]).toMatchObject({ trigger: 'api', httpStatus: 201, path: '/orders?x=1' })
    expect(trace?.entries[2]).toMatchObject({ trigger: 'event', jobId: 'j-1000', attempt: 1, maxAttempts: 3 })
    expect(trace?.entries[4]).toMatchObject({ meta: { item: 'lamp' } })
  })

  it('puts an emit before the job it created, even when the job started before the emit was reported', () => {
    const recorder = createTraceRecorder()
    recorder.job({ type: 'started', job: job({ id: 'j1', step: 'Ship', topic: 'order.paid', createdAt: 1000, startedAt: 1001 }) })
    recorder.activity({ type: 'emit', at: 1003, traceId: T, step: null, topic: 'order.paid', data: {} })
    const trace = recorder.get(T)
    expect(trace?.entries.map((entry) => entry.type)).toEqual(['emit', 'run'])
    expect(trace?.name).toBe('emit order.paid')
    expect(trace?.status).toBe('running')
  })

  it('marks a trace error while a job failed, and ok once a retry of it completes', () => {
    const recorder = createTraceRecorder()
    const first = job({ id: 'j1', step: 'Charge', topic: 'order.created', startedAt: 1000 })
    recorder.job({ type: 'started', job: first })
    recorder.job({ type: 'failed', job: { ...first, status: 'failed', finishedAt: 1004 }, error: new Error('card declined'), willRetry: true })
    expect(recorder.summary(T)).toMatchObject({ status: 'error', counts: { errors: 1 } })
    expect(recorder.get(T)?.entries[0]).toMatchObject({ status: 'error', error: 'card declined', willRetry: true, durationMs: 4 })

    const second = { ...first, attempts: 2, startedAt: 2000 }
    recorder.job({ type: 'started', job: second })
    expect(recorder.summary(T)?.status).toBe('running')
    recorder.job({ type: 'completed', job: { ...second, status: 'completed', finishedAt: 2002 }, durationMs: 2 })
    expect(recorder.summary(T)?.status).toBe('ok')
    expect(recorder.get(T)?.entries.map(line)).toEqual(['0 run Charge error 4', '1000 run Charge ok 2'])
  })

  it('records a failed cron tick and a 500 answer as errors', () => {
    const recorder = createTraceRecorder()
    recorder.invocation({ phase: 'start', id: 1, kind: 'cron', at: 1000, traceId: 'tick', step: 'Cleanup' })
    recorder.invocation({ phase: 'end', id: 1, kind: 'cron', at: 1010, traceId: 'tick', step: 'Cleanup', durationMs: 10, error: 'disk full' })
    recorder.invocation({ phase: 'start', id: 2, kind: 'api', at: 1000, traceId: 'req', step: 'Crash', method: 'GET', path: '/crash' })
    recorder.invocation({ phase: 'end', id: 2, kind: 'api', at: 1003, traceId: 'req', step: 'Crash', durationMs: 3, status: 500 })
    expect(recorder.summary('tick')).toMatchObject({ name: 'Cleanup (cron)', status: 'error' })
    expect(recorder.get('tick')?.entries[0]).toMatchObject({ error: 'disk full' })
    expect(recorder.summary('req')).toMatchObject({ name: 'GET /crash', status: 'error' })
  })

  it('files a log line under the trace id it carries as a field', () => {
    const recorder = createTraceRecorder()
    const { traceId: _none, ...untraced } = log({ time: 1000, msg: 'handler failed', level: 'error', meta: { traceId: 'req', path: '/x' } })
    recorder.log(untraced)
    recorder.log({ level: 'info', time: 1001, msg: 'no trace', meta: {} })
    expect(recorder.get('req')?.entries).toEqual([
      { type: 'log', at: 1000, offsetMs: 0, step: null, level: 'error', msg: 'handler failed', meta: { path: '/x' } },
    ])
    expect(recorder.list().traces).toHaveLength(1)
  })

  it('lists traces newest first, by step and by status', () => {
    const recorder = createTraceRecorder()
    recordRequest(recorder, 'a', 1000)
    recordRequest(recorder, 'b', 2000)
    recorder.invocation({ phase: 'start', id: 9, kind: 'cron', at: 3000, traceId: 'c', step: 'Tick' })
    expect(recorder.list().traces.map((trace) => trace.traceId)).toEqual(['c', 'b', 'a'])
    expect(recorder.list({ step: 'ReserveStock' }).traces.map((trace) => trace.traceId)).toEqual(['b', 'a'])
    expect(recorder.list({ status: 'running' }).traces.map((trace) => trace.traceId)).toEqual(['c'])
    expect(recorder.list({ limit: 1 }).traces.map((trace) => trace.traceId)).toEqual(['c'])
  })

  it('keeps its memory bound when topics, step names, paths, errors and log messages are huge', () => {
    const recorder = createTraceRecorder()
    const huge = 'x'.repeat(900_000)
    for (let t = 0; t < 300; t++) {
      const traceId = `t${t}`
      const at = 1000 + t
      recorder.invocation({ phase: 'start', id: t, kind: 'cron', at, traceId, step: huge, path: `/${huge}` })
      recorder.activity({ type: 'emit', at, traceId, step: huge, topic: huge, data: {} })
      recorder.activity({ type: 'state', at, traceId, step: huge, op: 'set', group: huge, key: huge })
      for (let i = 0; i < 5; i++) recorder.log(log({ traceId, time: at, msg: huge }))
      recorder.invocation({ phase: 'end', id: t, kind: 'cron', at: at + 1, traceId, step: huge, durationMs: 1, error: huge })
    }
    // Every text the recorder still holds, as the endpoints send it: what it retains.
    let retained = 0
    let longest = 0
    const { traces } = recorder.list({ limit: 300 })
    for (const summary of traces) {
      const texts = JSON.stringify(recorder.get(summary.traceId))
      retained += texts.length
      for (const entry of recorder.get(summary.traceId)?.entries ?? []) {
        const fields = Object.values(entry).filter((value): value is string => typeof value === 'string')
        longest = Math.max(longest, ...fields.map((field) => field.length))
      }
    }
    expect(traces.length).toBeGreaterThan(0)
    expect(longest).toBeLessThanOrEqual(4001)
    expect(retained).toBeLessThan(16 * 1024 * 1024)
    expect(traces[0]?.name.length).toBeLessThan(520)
  })

  it('pages the list with a cursor: each page goes on from the last trace of the one before', () => {
    const recorder = createTraceRecorder()
    for (const [index, id] of ['a', 'b', 'c', 'd', 'e'].entries()) recordRequest(recorder, id, 1000 * (index + 1))
    const first = recorder.list({ limit: 2 })
    expect(first.traces.map((trace) => trace.traceId)).toEqual(['e', 'd'])
    recordRequest(recorder, 'f', 9000)
    const second = recorder.list({ limit: 2, before: first.nextCursor as number })
    expect(second.traces.map((trace) => trace.traceId)).toEqual(['c', 'b'])
    const last = recorder.list({ limit: 2, before: second.nextCursor as number })
    expect(last).toEqual({ traces: [expect.objectContaining({ traceId: 'a' })], nextCursor: null })
  })

  it('keeps at most maxTraces traces, dropping the oldest, and maxEntries entries a trace', () => {
    const recorder = createTraceRecorder({ maxTraces: 3, maxEntries: 4 })
    for (let index = 0; index < 5; index += 1) recordRequest(recorder, `t${index}`, 1000 * (index + 1))
    expect(recorder.list().traces.map((trace) => trace.traceId)).toEqual(['t4', 't3', 't2'])
    expect(recorder.get('t0')).toBeNull()
    const kept = recorder.get('t4')
    expect(kept?.entries).toHaveLength(4)
    expect(kept?.dropped).toBe(1)
    // The run that started within the limit still gets its end.
    expect(kept?.entries.find((entry) => entry.type === 'run' && entry.step === 'ReserveStock')).toMatchObject({ status: 'ok', durationMs: 3 })
  })

  it('drops the oldest traces to keep the memory they hold under maxBytes', () => {
    const recorder = createTraceRecorder({ maxBytes: 50_000, maxValueChars: 4000 })
    for (let index = 0; index < 20; index += 1) {
      recorder.activity({ type: 'emit', at: index, traceId: `t${index}`, step: 'A', topic: 'big', data: { text: 'x'.repeat(3000) } })
    }
    const kept = recorder.list({ limit: 100 }).traces.map((trace) => trace.traceId)
    expect(kept.length).toBeGreaterThan(2)
    expect(kept.length).toBeLessThan(20)
    expect(kept[0]).toBe('t19')
    expect(recorder.get('t0')).toBeNull()
  })

  it('keeps a copy of event data, and only the start of a huge one', () => {
    const recorder = createTraceRecorder({ maxValueChars: 50 })
    const data = { id: 1, tags: ['a'] }
    recorder.activity({ type: 'emit', at: 1000, traceId: T, step: 'A', topic: 'small', data })
    recorder.activity({ type: 'emit', at: 1001, traceId: T, step: 'A', topic: 'big', data: { text: 'x'.repeat(500) } })
    data.tags.push('changed later')
    const [small, big] = recorder.get(T)?.entries ?? []
    expect(small).toMatchObject({ data: { id: 1, tags: ['a'] } })
    expect(small).not.toHaveProperty('truncated')
    expect(big).toMatchObject({ truncated: true })
    expect(String((big as { data: unknown }).data)).toHaveLength(51)
  })

  it('tells listeners which trace changed, and survives a listener that throws', () => {
    const errors: unknown[] = []
    const recorder = createTraceRecorder({ onError: (error) => errors.push(error) })
    const changed: string[] = []
    recorder.onChange(() => {
      throw new Error('listener broke')
    })
    const stop = recorder.onChange((traceId) => changed.push(traceId))
    recorder.activity({ type: 'state', at: 1, traceId: 'x', step: 'A', op: 'clear', group: 'g', key: null })
    stop()
    recorder.activity({ type: 'state', at: 2, traceId: 'y', step: 'A', op: 'clear', group: 'g', key: null })
    expect(changed).toEqual(['x'])
    expect(errors).toHaveLength(2)
    expect(recorder.get('y')?.entries).toHaveLength(1)
  })
})
