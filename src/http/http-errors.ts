import type { ErrorRequestHandler } from 'express'
import { BackendUnavailableError, HttpError, MotiaError, toErrorMessage, ValidationError } from '../errors.ts'
import type { Step } from '../steps/step.ts'
import type { Logger } from '../types.ts'

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

interface BodyParserError {
  type: string
  status?: number
  limit?: number
  message: string
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string' && 'status' in error
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
    if (isBodyParserError(error)) {
      if (error.type === 'entity.too.large') {
        res.status(413).json({ error: `Request body is larger than the limit of ${error.limit ?? '?'} bytes.` })
      } else if (error.type === 'entity.parse.failed') {
        res.status(400).json({ error: `Malformed JSON body: ${error.message}` })
      } else {
        res.status(error.status ?? 400).json({ error: error.message })
      }
      return
    }
    if (error instanceof ValidationError) {
      res.status(400).json({ error: error.message, issues: error.issues })
      return
    }
    if (error instanceof HttpError) {
      res.status(error.status).json({ error: error.message, ...error.details })
      return
    }
    const traceId = error instanceof HandlerFailedError ? error.traceId : undefined
    const cause = error instanceof HandlerFailedError ? error.cause : error
    if (cause instanceof BackendUnavailableError) {
      // Nothing was stored, so the caller can safely send the same request again.
      logger.warn(cause.message, { traceId, method: req.method, path: req.path })
      res.status(503).set('retry-after', '1').json({ error: cause.message, ...(traceId ? { traceId } : {}) })
      return
    }
    logger.error(toErrorMessage(error), { error: cause, traceId, method: req.method, path: req.path })
    const message = options.exposeMessages ? toErrorMessage(cause) : 'Internal server error'
    res.status(500).json({ error: message, ...(traceId ? { traceId } : {}) })
  }
}
