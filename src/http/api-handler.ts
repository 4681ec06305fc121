import { randomUUID } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'
import { toErrorMessage } from '../errors.ts'
import { HandlerFailedError, toStepFailure } from './http-errors.ts'
import { sendResponse } from './send-response.ts'
import { checkResponse, startApiStep } from '../runtime/invoke-api-step.ts'
import { type InvocationFeed, startInvocation } from '../runtime/invocations.ts'
import type { Step } from '../steps/step.ts'
import type { ApiRequest, FlowContext } from '../types.ts'

/** Builds a handler context for a step and trace (the runtime's createContext, bound). */
export type ContextFactory = (step: Step, traceId: string) => FlowContext

type RawBodyRequest = Request & { rawBody?: string }

function toApiRequest(req: RawBodyRequest): ApiRequest {
  return {
    body: req.body ?? {},
    pathParams: { ...(req.params as Record<string, string>) },
    queryParams: req.query as Record<string, string | string[]>,
    headers: req.headers as Record<string, string | string[]>,
    rawBody: req.rawBody ?? '',
  }
}

/** Reports the request's start now and its end (status, duration) when the response closes. */
function reportRequest(feed: InvocationFeed, step: Step, traceId: string, req: Request, res: Response): void {
  const { traceparent } = req.headers
  const end = startInvocation(feed, {
    kind: 'api',
    traceId,
    step: step.name,
    method: req.method,
    path: req.originalUrl,
    route: step.config.type === 'api' ? step.config.path : req.path,
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
  })
  // `on`, not `once`: a response closes once, and removing the listener would delete a key of its events object, which
  // turns that object into a dictionary for the rest of the response's life.
  res.on('close', () => end({ status: res.headersSent ? res.statusCode : 0 }))
}

/** Turns an API step into an express handler: body validation, context, response mapping. It never throws or rejects: every failure goes to `next`. */
export function toApiHandler(step: Step, createContext: ContextFactory, invocations?: InvocationFeed): (req: Request, res: Response, next: NextFunction) => void {
  const fail = (error: unknown, traceId: string, next: NextFunction): void => {
    // A handler's own failure is a 500 (the caller did nothing wrong) unless it threw an HttpError.
    next(toStepFailure(step, error, traceId))
  }
  const send = (res: Response, result: unknown, ctx: FlowContext, traceId: string, next: NextFunction): void => {
    let sending: Promise<void> | undefined
    try {
      sending = sendResponse(res, checkResponse(step, result))
    } catch (error) {
      // The handler returned no response, or one that cannot be sent.
      next(new HandlerFailedError(step, error, traceId))
      return
    }
    sending?.catch((error: unknown) => {
      if (!res.headersSent) {
        next(new HandlerFailedError(step, error, traceId))
        return
      }
      // Headers went out with the first chunk: all that is left is to cut the connection so the client sees it broke.
      ctx.logger.error(`API step "${step.name}" (${step.relativeFile}) failed while its body was sent: ${toErrorMessage(error)}`, { error })
      res.destroy()
    })
  }
  // Not an async function, and no await: a small request's own work is about as much as the promises and
  // turns would be. The handler's result is checked and sent in one `then`.
  return (req, res, next) => {
    const traceId = randomUUID()
    let ctx: FlowContext
    let running: unknown
    try {
      res.setHeader('x-trace-id', traceId)
      if (invocations?.active) reportRequest(invocations, step, traceId, req, res)
      ctx = createContext(step, traceId)
      running = startApiStep(step, toApiRequest(req), ctx)
    } catch (error) {
      fail(error, traceId, next)
      return
    }
    Promise.resolve(running).then(
      (result) => send(res, result, ctx, traceId, next),
      (error: unknown) => fail(error, traceId, next),
    )
  }
}
