import { randomUUID } from 'node:crypto'
import { createContext } from '../context/create-context.ts'
import { createEmitter, type Emitter } from '../context/emitter.ts'
import type { CronLock } from '../cron/cron-lock.ts'
import { type CronScheduler, createCronScheduler } from '../cron/cron-scheduler.ts'
import { toErrorMessage } from '../errors.ts'
import { buildFlowGraph } from '../graph/build-flow-graph.ts'
import type { FlowGraph } from '../graph/flow-graph.ts'
import type { RootLogger } from '../logger/create-logger.ts'
import { createStepImporter } from '../workers/step-importer.ts'
import type { AttemptAbort } from '../queue/attempt-abort.ts'
import type { Queue } from '../queue/queue.ts'
import type { StateStore } from '../state/state-store.ts'
import type { ModuleImporter } from '../steps/import-module.ts'
import { loadProject } from '../steps/load-project.ts'
import { DEFAULT_LOAD_TIMEOUT_MS } from '../steps/load-step.ts'
import { createStepRegistry, type StepChange, type StepRegistry } from '../steps/registry.ts'
import type { Step } from '../steps/step.ts'
import { loadStreams } from '../streams/load-streams.ts'
import { createStreamRegistry, type LoadErrorSink, type StreamRegistry } from '../streams/stream-registry.ts'
import type { StreamStore } from '../streams/stream-store.ts'
import { createStreamsContext } from '../streams/streams-context.ts'
import type { EmitEvent, EventHandler, FlowContext, StepType } from '../types.ts'
import { type ActivityListener, type ActivityTracer, createActivityFeed } from './activity.ts'
import { type ApiSteps, createApiSteps } from './api-steps.ts'
import { toConsumerOptions, withBatchLogger } from './consumer-options.ts'
import { reportBlocking } from './report-blocking.ts'
import { runCronStep } from './run-cron-step.ts'
import { createFeed } from '../feed.ts'
import { type Invocation, type InvocationFeed, type InvocationListener, trackTick } from './invocations.ts'
import { watchJobs } from './watch-jobs.ts'

export interface RuntimeOptions {
  projectDir: string
  queue: Queue
  state: StateStore
  streams: StreamStore
  logger: RootLogger
  cronLock?: CronLock
  /** How long a step file may take to import before it is a load error; default 10 s. */
  loadTimeoutMs?: number
  /** Imports the JavaScript and TypeScript files; default: from source through tsx (`start` passes the project's build). */
  moduleImporter?: ModuleImporter
}

/** A runtime's streams: the stream files loaded, and the store their items live in. */
export interface RuntimeStreams {
  readonly registry: StreamRegistry
  readonly store: StreamStore
}

/** A loaded project: its steps mounted on HTTP routes, queue consumers and cron schedules. */
export interface Runtime {
  readonly projectDir: string
  readonly registry: StepRegistry
  readonly queue: Queue
  readonly state: StateStore
  readonly streams: RuntimeStreams
  readonly logger: RootLogger
  /** The API steps the HTTP layer serves. */
  readonly apiSteps: ApiSteps
  readonly cron: CronScheduler
  readonly importer: ModuleImporter
  /** How long a step file may take to import before it is a load error. */
  readonly loadTimeoutMs: number
  /** The context of one invocation; of a job's attempt when `attempt` and `jobId` are given, so its activity and faults point at it. */
  createContext(step: Step, traceId: string, attempt?: AttemptAbort, jobId?: string): FlowContext
  /** Emits from outside any step (POST /emit, tests); returns the trace id. */
  emit(event: EmitEvent, traceId?: string): Promise<string>
  graph(flow?: string): FlowGraph
  /** Reports every emit and every state write a handler makes; returns the function that stops it. */
  onActivity(listener: ActivityListener): () => void
  /** Has `tracer` hear every emit and every state and stream write at the call (one tracer at a time); returns the function that stops it. */
  traceActivity(tracer: ActivityTracer): () => void
  /** Reports the start and end of every HTTP request and cron tick that runs a step; returns the function that stops it. */
  onInvocation(listener: InvocationListener): () => void
  /** Where HTTP requests and cron ticks report their start and end. */
  readonly invocations: InvocationFeed
  /** Loads every step and stream file and mounts the steps. */
  load(): Promise<void>
  close(): Promise<void>
}

interface Mounter {
  mount(step: Step): void
  unmount(step: Step): void
}

/** Creates a runtime over the given backends; call `load()` to read the project. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { projectDir, queue, state, logger } = options
  const loadTimeoutMs = options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS
  const registry = createStepRegistry()
  // Python steps load and run in a pool of worker processes, started by the first Python step file.
  const importer = createStepImporter(projectDir, logger, options.moduleImporter)
  // A throwing listener is logged; the handler that reported never sees it.
  const listenerFailed = (kind: string) => (error: unknown) => {
    logger.error(`An ${kind} listener threw: ${toErrorMessage(error)}`, { error })
  }
  const feed = createActivityFeed(listenerFailed('activity'))
  const invocations = createFeed<Invocation>(listenerFailed('invocation'))
  const emitter: Emitter = createEmitter(registry, queue, logger, feed)
  // Stream files' load errors are listed with the steps' (GET /__motia/steps, the tester, the banner).
  const loadErrors: LoadErrorSink = { setError: (file, error) => registry.setError(file, error), clearError: (file) => void registry.remove(file) }
  const streamRegistry = createStreamRegistry(loadErrors)
  const streams: RuntimeStreams = { registry: streamRegistry, store: options.streams }
  const contextDeps = { emitter, state, logger, feed, streams: createStreamsContext(streamRegistry, options.streams, feed) }
  const bindContext = (step: Step, traceId: string, attempt?: AttemptAbort, jobId?: string) =>
    createContext(contextDeps, step, traceId, attempt, jobId)

  const apiSteps = createApiSteps()
  const cron = createCronScheduler({
    logger,
    ...(options.cronLock ? { lock: options.cronLock } : {}),
    runTick: (step) => trackTick(invocations, step.name, randomUUID(), (traceId) => runCronStep(step, bindContext(step, traceId))),
  })
  const consumers: Mounter = {
    mount(step) {
      const handler = step.handler as EventHandler
      queue.consume(step.name, toConsumerOptions(step), (job, abort, batch) => {
        // A batch runs in its first job's trace and context; its log lines name the batch.
        const jobCtx = bindContext(step, job.traceId, abort, job.id)
        const ctx = batch ? withBatchLogger(jobCtx, logger, step, job) : jobCtx
        const startedAt = performance.now()
        const running = handler(batch ? batch.map((each) => each.data) : job.data, ctx)
        reportBlocking(step, ctx, startedAt, job.id)
        return Promise.resolve(running)
      })
    },
    unmount(step) {
      queue.stopConsuming(step.name)
    },
  }
  const nothing: Mounter = { mount() {}, unmount() {} }
  const mounters: Record<StepType, Mounter> = { api: apiSteps, event: consumers, cron, noop: nothing }

  function apply(change: StepChange): void {
    const previous = change.type === 'updated' ? change.previous : change.type === 'removed' ? change.step : undefined
    const next = change.type === 'removed' ? undefined : change.step
    try {
      if (previous) mounters[previous.type].unmount(previous)
      if (next) mounters[next.type].mount(next)
    } catch (error) {
      logger.error(`Could not mount step "${change.step.name}" (${change.step.relativeFile}): ${toErrorMessage(error)}`, {
        error,
      })
    }
  }
  registry.onChange(apply)
  const stopWatchingJobs = watchJobs(queue, logger)

  let closed: Promise<void> | undefined
  return {
    projectDir,
    registry,
    queue,
    state,
    streams,
    logger,
    apiSteps,
    cron,
    importer,
    loadTimeoutMs,
    createContext: bindContext,
    async emit(event, traceId = randomUUID()) {
      await emitter(event, { traceId })
      return traceId
    },
    graph: (flow) => buildFlowGraph(registry.steps(), flow ? { flow } : undefined),
    onActivity: (listener) => feed.listen(listener),
    traceActivity: (tracer) => feed.trace(tracer),
    onInvocation: (listener) => invocations.listen(listener),
    invocations,
    async load() {
      await Promise.all([loadStreams(projectDir, importer, streamRegistry, loadErrors, loadTimeoutMs), loadProject(projectDir, importer, registry, loadTimeoutMs)])
    },
    close() {
      closed ??= (async () => {
        stopWatchingJobs()
        await Promise.allSettled([cron.close(), queue.close()])
        // After the queue: jobs still running in the grace period need their workers.
        await importer.close()
        await Promise.allSettled([state.close(), options.streams.close()])
      })()
      return closed
    },
  }
}
