import { MotiaError } from '../errors.ts'
import type { RootLogger } from '../logger/create-logger.ts'
import type { FlowContext } from '../types.ts'
import type { WorkerLanguage } from './language.ts'
import { type InvokeMessage, type LoadedModule, NotLoadedError } from './protocol.ts'
import { createWorkerProcess, type WorkerProcess } from './worker-process.ts'

/** One loaded version of a step file: what a worker needs to load it again. */
export interface WorkerStepVersion {
  file: string
  version: number
  generation: number
  source: string
}

/** A handler call: its kind, arguments (without ctx), trace and timeout. */
export type WorkerCall = Pick<InvokeMessage, 'kind' | 'args' | 'traceId' | 'timeoutMs'>

/** A few long-lived worker processes shared by every step of one language in a runtime. */
export interface WorkerPool {
  /** Loads a step file in a worker: its config as JSON and a version later calls run. */
  load(file: string, source: string): Promise<{ step: WorkerStepVersion; module: LoadedModule }>
  /** Runs a handler in the least busy worker; each worker loads a step version on first use. */
  invoke(step: WorkerStepVersion, call: WorkerCall, ctx: FlowContext): Promise<unknown>
  /** Starts a reload generation: the next loads re-import the project's helper modules (or files). */
  renew(): void
  /** Process ids of the running workers. */
  pids(): number[]
  /** Stops every worker (idempotent); later calls fail with the language's worker error. */
  close(): Promise<void>
}

export interface WorkerPoolOptions {
  projectDir: string
  logger: RootLogger
  /** Interpreter; default the language's environment variable (`MOTIA_PYTHON`), else its default. */
  command?: string
  /** Worker processes; default the language's environment variable (`MOTIA_PYTHON_WORKERS`), else 2. */
  size?: number
}

const DEFAULT_WORKERS = 2

function readSize(variable: string, option: number | undefined): number {
  const raw = option ?? process.env[variable]
  if (raw === undefined || raw === '') return DEFAULT_WORKERS
  const size = Number(raw)
  if (!Number.isInteger(size) || size < 1) {
    throw new MotiaError('CONFIG_INVALID', `${variable} is "${raw}". Set it to a whole number of 1 or more.`)
  }
  return size
}

/** Creates a pool of one language's workers; no process starts until the first step of it loads. */
export function createWorkerPool(language: WorkerLanguage, options: WorkerPoolOptions): WorkerPool {
  const { projectDir, logger } = options
  const { name } = language
  const command = options.command ?? (process.env[language.interpreterEnv] || language.defaultInterpreter)
  const workers: WorkerProcess[] = []
  /** Per worker, the step versions it loaded or is loading, by version (unique across the pool). */
  const loads = new WeakMap<WorkerProcess, Map<number, Promise<LoadedModule>>>()
  // Read once it is valid; a bad worker count stays an error of every step of the language that loads.
  let size: number | undefined
  let version = 0
  let generation = 0
  let closed: Promise<void> | undefined

  function onExit(worker: WorkerProcess): void {
    const index = workers.indexOf(worker)
    if (index >= 0) workers.splice(index, 1)
    if (!closed && worker.pid !== undefined) {
      logger.warn(`The ${name} worker (pid ${worker.pid}) exited; the next ${name} call starts a new one.`, { [language.logKey]: worker.pid })
    }
  }

  /** The least busy worker; a new one while the pool is not full and every worker is busy. */
  function pick(): WorkerProcess {
    if (closed) throw language.workerError('POOL_CLOSED', `The ${name} workers are closed: the runtime is shutting down.`)
    size ??= readSize(language.workersEnv, options.size)
    let best: WorkerProcess | undefined
    for (const worker of workers) if (!best || worker.busy < best.busy) best = worker
    if (best && (best.busy === 0 || workers.length >= size)) return best
    const worker = createWorkerProcess({ language, command, projectDir, logger, onExit })
    workers.push(worker)
    loads.set(worker, new Map())
    return worker
  }

  function ensureLoaded(worker: WorkerProcess, step: WorkerStepVersion): Promise<LoadedModule> {
    const known = loads.get(worker) as Map<number, Promise<LoadedModule>>
    const key = step.version
    let loading = known.get(key)
    if (!loading) {
      const { file, version: stepVersion, generation: stepGeneration, source } = step
      loading = worker.load({ file, version: stepVersion, generation: stepGeneration, source })
      known.set(key, loading)
      void loading.catch(() => known.delete(key))
    }
    return loading
  }

  return {
    async load(file, source) {
      const step = { file, version: ++version, generation, source }
      const module = await ensureLoaded(pick(), step)
      return { step, module }
    },
    async invoke(step, call, ctx) {
      const worker = pick()
      const message = { file: step.file, version: step.version, ...call }
      await ensureLoaded(worker, step)
      try {
        return await worker.invoke(message, ctx)
      } catch (error) {
        // The worker dropped this version for newer ones (a reload): load it again and retry once.
        if (!(error instanceof NotLoadedError)) throw error
        loads.get(worker)?.delete(step.version)
        await ensureLoaded(worker, step)
        return worker.invoke(message, ctx)
      }
    },
    renew() {
      generation += 1
    },
    pids: () => workers.flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid])),
    close() {
      closed ??= Promise.allSettled(workers.map((worker) => worker.close())).then(() => undefined)
      return closed
    },
  }
}
