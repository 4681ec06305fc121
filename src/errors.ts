/** Base class of every error this framework raises: a stable `code` and an optional `cause`. */
export class MotiaError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MotiaError'
    this.code = code
  }

  /**
   * Step files may import their own copy of this module (each hot-reload generation is fresh), so
   * `instanceof` matches by class name along the prototype chain rather than by identity.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    for (let proto = value ? Object.getPrototypeOf(value) : null; proto; proto = Object.getPrototypeOf(proto)) {
      if ((proto as { constructor?: { name?: string } }).constructor?.name === this.name) return true
    }
    return false
  }
}

/** A step file whose config is invalid, duplicated or cannot be imported. */
export class StepConfigError extends MotiaError {
  readonly file: string
  readonly line: number | undefined

  constructor(file: string, message: string, options?: { cause?: unknown; line?: number }) {
    super('STEP_CONFIG_INVALID', message, options)
    this.name = 'StepConfigError'
    this.file = file
    this.line = options?.line
  }
}

/** A handler emitted a topic that its config does not declare in `emits`. */
export class EmitNotDeclaredError extends MotiaError {
  constructor(step: string, file: string, topic: string) {
    super(
      'EMIT_NOT_DECLARED',
      `Step "${step}" (${file}) emitted "${topic}", which is not in its config.emits. Add it to emits or remove the emit.`,
    )
    this.name = 'EmitNotDeclaredError'
  }
}

/** One problem found by a schema, with the path of the offending field. */
export interface ValidationIssue {
  path: string
  message: string
}

/** Data that does not match a schema: a request body, or an event's input. */
export class ValidationError extends MotiaError {
  readonly issues: ValidationIssue[]

  constructor(message: string, issues: ValidationIssue[]) {
    super('VALIDATION_FAILED', message)
    this.name = 'ValidationError'
    this.issues = issues
  }
}

/** Thrown by a handler to fail a job at once, with no retry: it goes straight to the dead-letter queue. */
export class NonRetriableError extends MotiaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NON_RETRIABLE', message, options)
    this.name = 'NonRetriableError'
  }
}

/** A handler ran longer than its step's `infrastructure.handler.timeout`. */
export class HandlerTimeoutError extends MotiaError {
  constructor(step: string, timeoutMs: number) {
    super(
      'HANDLER_TIMEOUT',
      `Step "${step}" did not finish within ${timeoutMs / 1000} s. Make the handler faster or raise infrastructure.handler.timeout.`,
    )
    this.name = 'HandlerTimeoutError'
  }
}

/** A backend (Redis) cannot be reached: nothing was stored, and the caller may try again later (HTTP 503). */
export class BackendUnavailableError extends MotiaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKEND_UNAVAILABLE', message, options)
    this.name = 'BackendUnavailableError'
  }
}

/** A Python step's handler raised: the exception's type and message, with the Python traceback as `stack`. */
export class PythonHandlerError extends MotiaError {
  readonly pythonType: string

  constructor(pythonType: string, message: string, traceback?: string) {
    super('PYTHON_HANDLER_FAILED', `${pythonType}: ${message}`)
    this.name = 'PythonHandlerError'
    this.pythonType = pythonType
    if (traceback) this.stack = `${this.name}: ${this.message}\n${traceback}`
  }
}

/** No Python worker could run the call: the interpreter is missing, the worker exited, or the pool is closed. */
export class PythonWorkerError extends MotiaError {
  constructor(code: 'PYTHON_NOT_FOUND' | 'PYTHON_WORKER_EXITED' | 'PYTHON_POOL_CLOSED', message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'PythonWorkerError'
  }
}

/** A Ruby step's handler raised: the exception's class and message, with the Ruby backtrace as `stack`. */
export class RubyHandlerError extends MotiaError {
  readonly rubyClass: string

  constructor(rubyClass: string, message: string, backtrace?: string) {
    super('RUBY_HANDLER_FAILED', `${rubyClass}: ${message}`)
    this.name = 'RubyHandlerError'
    this.rubyClass = rubyClass
    if (backtrace) this.stack = `${this.name}: ${this.message}\n${backtrace}`
  }
}

/** No Ruby worker could run the call: the interpreter is missing, the worker exited, or the pool is closed. */
export class RubyWorkerError extends MotiaError {
  constructor(code: 'RUBY_NOT_FOUND' | 'RUBY_WORKER_EXITED' | 'RUBY_POOL_CLOSED', message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'RubyWorkerError'
  }
}

/** An error with an HTTP status; the HTTP layer turns it into a JSON response. */
export class HttpError extends MotiaError {
  readonly status: number
  readonly details: Record<string, unknown> | undefined

  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(code, message)
    this.name = 'HttpError'
    this.status = status
    this.details = details
  }
}

/** What a message says when a thrown value cannot be turned into text at all. */
const UNPRINTABLE = 'a thrown value that cannot be shown as text'

/**
 * The message of anything thrown, for logs and job records. It never throws: a cyclic object, a
 * BigInt, a throwing `message` getter or `toJSON` still give a line of text.
 */
export function toErrorMessage(error: unknown): string {
  try {
    return describeThrown(error)
  } catch {
    return UNPRINTABLE
  }
}

/** The stack of a thrown Error, or undefined; never throws (a stack getter may). */
export function toErrorStack(error: unknown): string | undefined {
  try {
    if (!(error instanceof Error)) return undefined
    const stack: unknown = error.stack
    return typeof stack === 'string' ? stack : undefined
  } catch {
    return undefined
  }
}

function describeThrown(error: unknown): string {
  if (typeof error === 'string') return error
  if (error instanceof Error) {
    const message: unknown = error.message
    return typeof message === 'string' ? message : String(message)
  }
  if (typeof error === 'bigint') return `${error}n`
  try {
    const json = JSON.stringify(error)
    if (json !== undefined) return json
  } catch {
    // A cycle, a BigInt inside or a throwing toJSON: say what can be said without JSON.
    const message = (error as { message?: unknown } | null)?.message
    if (typeof message === 'string') return message
    return `${Object.prototype.toString.call(error)} that JSON cannot hold`
  }
  return String(error)
}
