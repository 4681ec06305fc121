import type { ErrorRequestHandler } from 'express'
import { BackendUnavailableError, HttpError, MotiaError, toErrorMessage, ValidationError } from '../errors.ts'
import type { Step } from '../steps/step.ts'
import type { Logger } from '../types.ts'
import { toClientError } from './client-errors.ts'

/** An API handler threw: answered 500, logged with its stack, never sent with it. */
export class HandlerFailedError extends MotiaError {
  readonly traceId: string
  readonly step: Step

  constructor(step: Step, cause: unknown, traceId: string) {
    super('HANDLER_FAILED', `API step "${step.name}" (${step.relativeFile}) failed: ${toErrorMessage(cause)}`, { cause })
    this.name = 'HandlerFailedError'
    this.traceId = traceId
    this.step = step
  }
}

/**
 * The one place errors become HTTP responses: JSON, a reason a caller can act on, never a stack.
 * `exposeMessages` (dev) includes a failing handler's message in the 500 body.
 */
export function createErrorMiddleware(logger: Logger, options: { exposeMessages: boolean }): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error)
      return
    }
    const client = toClientError(error, req)
    if (client) {
      // The caller's mistake: worth a line when a client misbehaves, never a stack.
      logger.warn(`Refused ${req.method} ${req.path.slice(0, 200)} with ${client.status}: ${client.error}`, { method: req.method, status: client.status })
      res.status(client.status).json({ error: client.error })
      return
    }
    const { status, body } = toErrorResponse(error, options)
    if (status === 500) {
      const cause = error instanceof HandlerFailedError ? error.cause : error
      logger.error(toErrorMessage(error), { error: cause, traceId: body['traceId'], method: req.method, path: req.path })
    }
    if (status === 503) logger.warn(String(body['error']), { traceId: body['traceId'], method: req.method, path: req.path })
    // Nothing was stored, so the caller can safely send the same request again.
    if (status === 503) res.set('retry-after', '1')
    res.status(status).json(body)
  }
}

/** What an API step's thrown error means to HTTP: an HttpError as it is, anything else the step's failure (a 500, or a 503 for an unreachable backend). */
export function toStepFailure(step: Step, error: unknown, traceId: string): MotiaError {
  return error instanceof HttpError ? error : new HandlerFailedError(step, error, traceId)
}

/** The status and JSON body an error becomes: 400 with issues, an HttpError's own status, 503 for an unreachable backend, else 500 with no stack. */
export function toErrorResponse(error: unknown, options: { exposeMessages: boolean }): { status: number; body: Record<string, unknown> } {
  if (error instanceof ValidationError) return { status: 400, body: { error: error.message, issues: error.issues } }
  if (error instanceof HttpError) return { status: error.status, body: { error: error.message, ...error.details } }
  const traceId = error instanceof HandlerFailedError ? error.traceId : undefined
  const cause = error instanceof HandlerFailedError ? error.cause : error
  if (cause instanceof BackendUnavailableError) return { status: 503, body: { error: cause.message, ...(traceId ? { traceId } : {}) } }
  const message = options.exposeMessages ? toErrorMessage(cause) : 'Internal server error'
  return { status: 500, body: { error: message, ...(traceId ? { traceId } : {}) } }
}
