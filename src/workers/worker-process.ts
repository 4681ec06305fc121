import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { type MotiaError, NonRetriableError, toErrorMessage } from '../errors.ts'
import type { RootLogger } from '../logger/create-logger.ts'
import type { FlowContext } from '../types.ts'
import { serveContextCall } from './context-calls.ts'
import type { WorkerLanguage } from './language.ts'
import {
  type FromWorker,
  type InvokeMessage,
  type LoadedModule,
  type LoadMessage,
  NotLoadedError,
  type RemoteError,
  type ToWorker,
  WorkerLoadFailure,
} from './protocol.ts'

/** One long-lived worker process running many loads and invocations at once. */
export interface WorkerProcess {
  readonly pid: number | undefined
  /** Loads and invocations waiting for an answer. */
  readonly busy: number
  load(message: Omit<LoadMessage, 't' | 'id'>): Promise<LoadedModule>
  /** Runs a handler; its context calls are served by `ctx`. */
  invoke(message: Omit<InvokeMessage, 't' | 'id'>, ctx: FlowContext): Promise<unknown>
  /** Ends stdin and waits for the exit; kills the process if it lingers. Idempotent. */
  close(): Promise<void>
}

export interface WorkerProcessOptions {
  language: WorkerLanguage
  command: string
  projectDir: string
  logger: RootLogger
  /** Called once when the process is gone, whatever the reason. */
  onExit(worker: WorkerProcess): void
}

interface Pending {
  resolve(value: unknown): void
  reject(error: unknown): void
  ctx?: FlowContext
  /** Errors of this invocation's context calls, so the handler letting one through rethrows the original. */
  callErrors?: Map<number, unknown>
}

const CLOSE_GRACE_MS = 2000
const STDERR_TAIL = 5
const LEVELS = new Set(['debug', 'info', 'warn', 'error'])

function toHandlerError(language: WorkerLanguage, remote: RemoteError, pending: Pending): unknown {
  if (remote.code === 'NOT_LOADED') return new NotLoadedError()
  if (remote.code === 'LOAD_FAILED') return new WorkerLoadFailure(remote)
  const original = remote.callId === undefined ? undefined : pending.callErrors?.get(remote.callId)
  if (original !== undefined) return original
  if (remote.name === 'NonRetriableError') {
    const error = new NonRetriableError(remote.message)
    if (remote.traceback) error.stack = `NonRetriableError: ${remote.message}\n${remote.traceback}`
    return error
  }
  return language.handlerError(remote.name ?? 'Error', remote.message, remote.traceback)
}

/** Starts a worker process running the language's runner; nothing waits for it to be ready, stdin buffers. */
export function createWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const { language, command, projectDir, logger } = options
  const { name, logKey } = language
  const { args, env } = language.spawn(command, projectDir)
  const child: ChildProcessWithoutNullStreams = spawn(command, args, {
    env: { ...process.env, MOTIA_PROJECT_DIR: projectDir, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const pending = new Map<number, Pending>()
  const stderrTail: string[] = []
  let nextId = 1
  let exited = false
  let closing: Promise<void> | undefined

  function send(message: ToWorker): void {
    child.stdin.write(`${JSON.stringify(message)}\n`)
  }

  function request(message: LoadMessage | InvokeMessage, entry: Omit<Pending, 'resolve' | 'reject'>): Promise<unknown> {
    if (exited) return Promise.reject(exitError(null, null))
    return new Promise((resolve, reject) => {
      pending.set(message.id, { resolve, reject, ...entry })
      send(message)
    })
  }

  function exitError(code: number | null, signal: NodeJS.Signals | null, cause?: Error): MotiaError {
    if ((cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      return language.workerError(
        'NOT_FOUND',
        `The ${name} interpreter "${command}" was not found. Install ${language.requirement}, or set ${language.interpreterEnv} to the interpreter's path.`,
        { cause },
      )
    }
    if (closing) return language.workerError('POOL_CLOSED', `The ${name} workers were closed before the call finished.`)
    const how = cause ? `could not run (${cause.message})` : signal ? `was killed by ${signal}` : `exited with code ${code}`
    const tail = stderrTail.length > 0 ? ` Its last output: ${stderrTail.join(' | ')}` : ''
    return language.workerError(
      'WORKER_EXITED',
      `The ${name} worker (pid ${child.pid ?? '?'}, ${command}) ${how} before the call finished; the attempt failed and a new worker takes the next one.${tail}`,
    )
  }

  function gone(code: number | null, signal: NodeJS.Signals | null, cause?: Error): void {
    if (exited) return
    exited = true
    const error = exitError(code, signal, cause)
    for (const entry of pending.values()) entry.reject(error)
    pending.clear()
    options.onExit(worker)
  }

  function onMessage(message: FromWorker): void {
    if (message.t === 'done') {
      const entry = pending.get(message.id)
      if (!entry) return
      pending.delete(message.id)
      if (message.ok) entry.resolve(message.value)
      else entry.reject(toHandlerError(language, message.error, entry))
    } else if (message.t === 'call') {
      const entry = pending.get(message.inv)
      if (!entry?.ctx) {
        const error = { name: 'MotiaError', message: 'The handler had already finished: make every context call (and await it, in Python) before the handler returns.' }
        send({ t: 'reply', id: message.id, ok: false, error })
        return
      }
      serveContextCall(entry.ctx, message.method, message.args).then(
        (value) => send({ t: 'reply', id: message.id, ok: true, value }),
        (error: unknown) => {
          entry.callErrors ??= new Map()
          entry.callErrors.set(message.id, error)
          const { name = 'Error', code } = error as { name?: string; code?: string }
          send({ t: 'reply', id: message.id, ok: false, error: { name, message: toErrorMessage(error), ...(code ? { code } : {}) } })
        },
      )
    } else if (message.t === 'log') {
      const level = LEVELS.has(message.level) ? message.level : 'info'
      const target = message.inv === null ? undefined : pending.get(message.inv)?.ctx?.logger
      if (target) target[level](message.msg, message.meta)
      else logger[level](message.msg, { ...message.meta, ...(message.file ? { file: message.file } : {}), [logKey]: child.pid })
    }
  }

  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    try {
      onMessage(JSON.parse(line) as FromWorker)
    } catch (error) {
      logger.error(`Could not read a message from the ${name} worker (pid ${child.pid}): ${toErrorMessage(error)}`, { error })
    }
  })
  createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
    stderrTail.push(line)
    if (stderrTail.length > STDERR_TAIL) stderrTail.shift()
    logger.warn(`${name} worker ${child.pid}: ${line}`, { [logKey]: child.pid })
  })
  // The exit handler rejects what was in flight; a write to a dead process must not throw elsewhere.
  child.stdin.on('error', () => {})
  child.on('error', (error) => {
    // Without a pid the process never started; otherwise a signal failed: make sure it ends.
    if (child.pid === undefined) gone(null, null, error)
    else {
      logger.error(`The ${name} worker (pid ${child.pid}) failed: ${error.message}`, { [logKey]: child.pid })
      child.kill('SIGKILL')
    }
  })
  child.once('exit', (code, signal) => gone(code, signal))

  const worker: WorkerProcess = {
    get pid() {
      return child.pid
    },
    get busy() {
      return pending.size
    },
    async load(message) {
      const id = nextId++
      return (await request({ t: 'load', id, ...message }, {})) as LoadedModule
    },
    invoke(message, ctx) {
      const id = nextId++
      return request({ t: 'invoke', id, ...message }, { ctx })
    },
    close() {
      closing ??= (async () => {
        if (exited) return
        const exit = once(child, 'exit')
        child.stdin.end()
        const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS)
        await exit.catch(() => undefined)
        clearTimeout(timer)
      })()
      return closing
    },
  }
  return worker
}
