import { fileURLToPath } from 'node:url'
import { MotiaError, PythonWorkerError } from '../errors.ts'
import type { RootLogger } from '../logger/create-logger.ts'
import type { FlowContext } from '../types.ts'
import { type InvokeMessage, type LoadedModule, NotLoadedError } from './python-protocol.ts'
import { createPythonWorker, type PythonWorker } from './python-worker.ts'

/** One loaded version of a Python step file: what a worker needs to load it again. */
export interface PythonStepVersion {
  file: string
  version: number
  generation: number
  source: string
}

/** A handler call: its kind, arguments (without ctx), trace and timeout. */
export type PythonCall = Pick<InvokeMessage, 'kind' | 'args' | 'traceId' | 'timeoutMs'>

/** A few long-lived Python worker processes shared by every Python step of a runtime. */
export interface PythonPool {
  /** Loads a step file in a worker: its config as JSON and a version later calls run. */
  load(file: string, source: string): Promise<{ step: PythonStepVersion; module: LoadedModule }>
  /** Runs a handler in the least busy worker; each worker loads a step version on first use. */
  invoke(step: PythonStepVersion, call: PythonCall, ctx: FlowContext): Promise<unknown>
  /** Starts a reload generation: the next loads re-import the project's Python helper modules. */
  renew(): void
  /** Process ids of the running workers. */
  pids(): number[]
  /** Stops every worker (idempotent); later calls fail with PythonWorkerError. */
  close(): Promise<void>
}

export interface PythonPoolOptions {
  projectDir: string
  logger: RootLogger
  /** Interpreter; default `MOTIA_PYTHON`, else `python3`. */
  command?: string
  /** Worker processes; default `MOTIA_PYTHON_WORKERS`, else 2. */
  size?: number
}

const DEFAULT_WORKERS = 2
const runner = fileURLToPath(new URL('./runner.py', import.meta.url))

function readSize(option: number | undefined): number {
  const raw = option ?? process.env['MOTIA_PYTHON_WORKERS']
  if (raw === undefined || raw === '') return DEFAULT_WORKERS
  const size = Number(raw)
  if (!Number.isInteger(size) || size < 1) {
    throw new MotiaError('CONFIG_INVALID', `MOTIA_PYTHON_WORKERS is "${raw}". Set it to a whole number of 1 or more.`)
  }
  return size
}

/** Creates a pool; no process starts until the first Python step loads. */
export function createPythonPool(options: PythonPoolOptions): PythonPool {
  const { projectDir, logger } = options
  const command = options.command ?? (process.env['MOTIA_PYTHON'] || 'python3')
  const workers: PythonWorker[] = []
  /** Per worker, the step versions it loaded or is loading, by version (unique across the pool). */
  const loads = new WeakMap<PythonWorker, Map<number, Promise<LoadedModule>>>()
  // Read once it is valid; a bad MOTIA_PYTHON_WORKERS stays an error of every Python step that loads.
  let size: number | undefined
  let version = 0
  let generation = 0
  let closed: Promise<void> | undefined

  function onExit(worker: PythonWorker): void {
    const index = workers.indexOf(worker)
    if (index >= 0) workers.splice(index, 1)
    if (!closed && worker.pid !== undefined) {
      logger.warn(`The Python worker (pid ${worker.pid}) exited; the next Python call starts a new one.`, { python: worker.pid })
    }
  }

  /** The least busy worker; a new one while the pool is not full and every worker is busy. */
  function pick(): PythonWorker {
    if (closed) throw new PythonWorkerError('PYTHON_POOL_CLOSED', 'The Python workers are closed: the runtime is shutting down.')
    size ??= readSize(options.size)
    let best: PythonWorker | undefined
    for (const worker of workers) if (!best || worker.busy < best.busy) best = worker
    if (best && (best.busy === 0 || workers.length >= size)) return best
    const worker = createPythonWorker({ command, runner, projectDir, logger, onExit })
    workers.push(worker)
    loads.set(worker, new Map())
    return worker
  }

  function ensureLoaded(worker: PythonWorker, step: PythonStepVersion): Promise<LoadedModule> {
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
