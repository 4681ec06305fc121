import { randomUUID } from 'node:crypto'
import type { Request, RequestHandler, Response } from 'express'
import { toStepFailure } from './http-errors.ts'
import { invokeApiStep } from '../runtime/invoke-api-step.ts'
import { type InvocationFeed, startInvocation } from '../runtime/invocations.ts'
import type { Step } from '../steps/step.ts'
import type { ApiRequest, ApiResponse, FlowContext } from '../types.ts'

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

function send(res: Response, result: ApiResponse): void {
  if (result.headers) res.set(result.headers)
  res.status(result.status)
  const { body } = result
  if (body === undefined || body === null) res.end()
  else if (Buffer.isBuffer(body)) res.send(body)
  else if (typeof body === 'string') {
    if (!res.get('content-type')) res.type('text/plain')
    res.send(body)
  } else res.json(body)
}

/** Reports the request's start now and its end (status, duration) when the response closes. */
function reportRequest(feed: InvocationFeed, step: Step, traceId: string, req: Request, res: Response): void {
  const end = startInvocation(feed, { kind: 'api', traceId, step: step.name, method: req.method, path: req.originalUrl })
  res.once('close', () => end({ status: res.headersSent ? res.statusCode : 0 }))
}

/** Turns an API step into an express handler: body validation, context, response mapping. */
export function toApiHandler(step: Step, createContext: ContextFactory, invocations?: InvocationFeed): RequestHandler {
  return async (req, res, next) => {
    const traceId = randomUUID()
    res.set('x-trace-id', traceId)
    if (invocations?.active) reportRequest(invocations, step, traceId, req, res)
    try {
      send(res, await invokeApiStep(step, toApiRequest(req), createContext(step, traceId)))
    } catch (error) {
      // A handler's own failure is a 500 (the caller did nothing wrong) unless it threw an HttpError.
      next(toStepFailure(step, error, traceId))
    }
  }
}
