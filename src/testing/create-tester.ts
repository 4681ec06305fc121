import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { Writable } from 'node:stream'
import { MotiaError } from '../errors.ts'
import { createLogger, type LogEntry } from '../logger/create-logger.ts'
import { openMemoryBackend } from '../backends/open-backend.ts'
import type { Job, JobFilter, Queue } from '../queue/queue.ts'
import { createRuntime, type Runtime } from '../runtime/create-runtime.ts'
import { runCronStep } from '../runtime/run-cron-step.ts'
import type { StateStore } from '../state/state-store.ts'
import { createFrameClock, type StreamFrame, toFrame } from '../streams/stream-frame.ts'
import type { EmitEvent } from '../types.ts'
import { requestStep, type TestRequestOptions, type TestResponse } from './request-step.ts'
import { type TestStreamSubscription, watchStream } from './stream-watch.ts'

/** One emit seen by the tester, from a handler (`step`) or from `tester.emit` (`step: null`). */
export interface EmittedEvent<TData = unknown> {
  topic: string
  data: TData
  traceId: string
  step: string | null
}

export interface TesterOptions {
  /** The project folder (the one holding `steps/` or `src/`). */
  dir: string
  /** Wait the configured backoff between retries; default false: retries run at once, so tests stay fast. */
  realBackoff?: boolean
  /** Log level of the captured logs; default debug. */
  logLevel?: string
}

/** A project loaded in-process on memory backends: no port, no sleeps. */
export interface Tester {
  /** Serves a request through the API steps, as `dev` would answer it. */
  request<TBody = any>( // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON, a boundary
    method: string,
    path: string,
    body?: unknown,
    options?: TestRequestOptions,
  ): Promise<TestResponse<TBody>>
  /** Emits from outside any step (as `POST /emit`); resolves with the trace id once the jobs are queued. */
  emit(topic: string, data: unknown, options?: Omit<EmitEvent, 'topic' | 'data'>): Promise<string>
  /** Resolves when every job, including the ones they emitted and their retries, has settled. */
  drain(): Promise<void>
  /** Every change pushed to subscribers of a stream so far (of every stream without a name), oldest first. */
  streamChanges(streamName?: string): StreamFrame[]
  /** Subscribes to a stream group, or one item of it, as a socket client would: a `sync`, then every change. */
  subscribe(streamName: string, groupId: string, id?: string): Promise<TestStreamSubscription>
  /** Every emit of a topic so far (every emit without a topic), oldest first. */
  emitted<TData = unknown>(topic?: string): EmittedEvent<TData>[]
  /** Runs a cron step now; schedules do not fire on their own in a tester. */
  runCron(name: string): Promise<void>
  /** Jobs matching the filter, newest first. */
  jobs(filter?: JobFilter): Promise<Job[]>
  /** The state the handlers read and write. */
  readonly state: Omit<StateStore, 'close'>
  /** Every log line handlers and the runtime wrote. */
  readonly logs: LogEntry[]
  readonly runtime: Runtime
  close(): Promise<void>
}

/** A queue that retries at once: the same semantics as configured, without the waiting. */
function withoutBackoff(queue: Queue): Queue {
  const consume: Queue['consume'] = (step, options, handler) =>
    queue.consume(step, { ...options, backoff: { baseMs: 0, maxMs: 0 } }, handler)
  // The memory queue's methods are closures, not `this`-bound, so a copy with another consume works.
  return { ...queue, consume }
}

function describeLoadErrors(runtime: Runtime): string {
  return runtime.registry
    .errors()
    .map((error) => error.message)
    .join(' ')
}

/**
 * Loads a project in-process with the memory queue and state, for tests that drive whole flows.
 * @example
 * const tester = await createTester({ dir: resolve(import.meta.dirname, '..') })
 * const res = await tester.request('POST', '/upload', { filename: 'a.pdf' })
 * await tester.drain()
 * expect(tester.emitted('file.processed')).toHaveLength(1)
 * await tester.close()
 */
export async function createTester(options: TesterOptions): Promise<Tester> {
  const logs: LogEntry[] = []
  const logger = createLogger({
    level: options.logLevel ?? 'debug',
    pretty: false,
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  })
  logger.onLog((entry) => logs.push(entry))
  const backend = openMemoryBackend({ onError: (error) => logger.error('The job queue hit an error', { error }) })
  const queue = options.realBackoff ? backend.queue : withoutBackoff(backend.queue)
  const { state } = backend
  const runtime = createRuntime({ projectDir: resolve(options.dir), queue, state, streams: backend.streams, logger })
  const emitted: EmittedEvent[] = []
  runtime.onActivity((activity) => {
    if (activity.type === 'emit') {
      emitted.push({ topic: activity.topic, data: activity.data, traceId: activity.traceId, step: activity.step })
    }
  })
  const changes: StreamFrame[] = []
  const changeClock = createFrameClock()
  backend.streams.onChange((change) => changes.push(toFrame(change, changeClock())))
  await runtime.load()
  // Ticks on a wall-clock schedule would make tests depend on when they run: runCron triggers them instead.
  await runtime.cron.close()
  if (runtime.registry.errors().length > 0) {
    await runtime.close()
    throw new MotiaError('PROJECT_LOAD_FAILED', `The project in ${options.dir} has broken steps: ${describeLoadErrors(runtime)}`)
  }

  return {
    runtime,
    state,
    logs,
    request: (method, path, body, requestOptions) => requestStep(runtime, method, path, body, requestOptions),
    emit: (topic, data, emitOptions) => runtime.emit({ ...emitOptions, topic, data }),
    drain: () => queue.drain(),
    streamChanges: (streamName) => changes.filter((change) => streamName === undefined || change.streamName === streamName),
    subscribe: (streamName, groupId, id) => watchStream(backend.streams, streamName, groupId, id),
    emitted: <TData>(topic?: string) =>
      emitted.filter((event) => topic === undefined || event.topic === topic) as EmittedEvent<TData>[],
    async runCron(name) {
      const step = runtime.registry.steps().find((candidate) => candidate.name === name && candidate.type === 'cron')
      if (!step) {
        throw new MotiaError('CRON_NOT_FOUND', `No cron step named "${name}" in ${options.dir}. Check the name in its config.`)
      }
      await runCronStep(step, runtime.createContext(step, randomUUID()))
    },
    async jobs(filter = {}) {
      return (await queue.list({ limit: 10_000, ...filter })).jobs
    },
    close: () => runtime.close(),
  }
}
