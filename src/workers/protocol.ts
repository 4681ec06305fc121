/**
 * The newline-delimited JSON spoken with a worker process (`src/python/runner.py`, `src/ruby/runner.rb`).
 * Node sends `load`, `invoke` and `reply`; the worker sends `done` (the answer to a load or invoke),
 * `call` (a context call of a running invocation) and `log`.
 */

/** Loads one version of a step file from the given source. */
export interface LoadMessage {
  t: 'load'
  id: number
  file: string
  version: number
  /** Reload batch; a worker seeing a newer one imports the project's helper modules afresh. */
  generation: number
  source: string
}

/** Runs the handler of a loaded step version. */
export interface InvokeMessage {
  t: 'invoke'
  id: number
  file: string
  version: number
  kind: 'api' | 'event' | 'cron'
  args: unknown[]
  traceId: string
  /** The worker interrupts the handler after this long (event steps). */
  timeoutMs?: number
}

/** Node's answer to a context call. */
export interface ReplyMessage {
  t: 'reply'
  id: number
  ok: boolean
  value?: unknown
  error?: { name: string; message: string; code?: string }
}

export type ToWorker = LoadMessage | InvokeMessage | ReplyMessage

/** What a worker reports when a load or an invocation fails. */
export interface RemoteError {
  /** `LOAD_FAILED` or `NOT_LOADED` for protocol answers; absent for a handler's exception. */
  code?: string
  name?: string
  message: string
  traceback?: string
  /** The context call whose error the handler let through. */
  callId?: number
  kind?: 'syntax' | 'import' | 'config' | 'setup'
  line?: number | null
}

export type FromWorker =
  | { t: 'done'; id: number; ok: true; value: unknown }
  | { t: 'done'; id: number; ok: false; error: RemoteError }
  | { t: 'call'; id: number; inv: number; method: string; args: unknown[] }
  | { t: 'log'; inv: number | null; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; meta?: Record<string, unknown>; file?: string }

/** What loading a step file reported: its config as JSON and whether it defines a handler. */
export interface LoadedModule {
  config: Record<string, unknown> | null
  hasHandler: boolean
}

/**
 * A load the worker answered with an error: a syntax error, an exception at import, a config it
 * cannot send, or a worker that cannot set up the project's dependencies (Ruby's Gemfile).
 */
export class WorkerLoadFailure extends Error {
  readonly kind: 'syntax' | 'import' | 'config' | 'setup'
  readonly line: number | undefined

  constructor(remote: RemoteError) {
    super(remote.message)
    this.name = 'WorkerLoadFailure'
    this.kind = remote.kind ?? 'import'
    this.line = remote.line ?? undefined
  }
}

/** The worker does not hold that step version (it started after the load, or dropped an old version). */
export class NotLoadedError extends Error {
  constructor() {
    super('The worker has not loaded this step version.')
    this.name = 'NotLoadedError'
  }
}
