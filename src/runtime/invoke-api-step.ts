import { MotiaError } from '../errors.ts'
import type { Step } from '../steps/step.ts'
import { reportBlocking } from './report-blocking.ts'
import type { ApiMiddleware, ApiRequest, ApiResponse, ApiRouteHandler, FlowContext } from '../types.ts'

function isResponse(value: unknown): value is ApiResponse {
  return typeof value === 'object' && value !== null && typeof (value as ApiResponse).status === 'number'
}

/** Runs the middleware chain, then the handler: each middleware calls next() to go on. A throw becomes a rejection. */
function run(step: Step, request: ApiRequest, ctx: FlowContext): Promise<ApiResponse> | ApiResponse {
  const handler = step.handler as ApiRouteHandler
  const chain: ApiMiddleware[] = step.middleware
  try {
    if (chain.length === 0) return handler(request, ctx)
    const at = async (index: number): Promise<ApiResponse> => {
      const middleware = chain[index]
      if (!middleware) return handler(request, ctx)
      return middleware(request, ctx, () => at(index + 1))
    }
    return at(0)
  } catch (error) {
    return Promise.reject(error)
  }
}

/** The handler's result as a response, or an INVALID_RESPONSE error naming the step when it returned none. */
export function checkResponse(step: Step, result: unknown): ApiResponse {
  if (!isResponse(result)) {
    throw new MotiaError(
      'INVALID_RESPONSE',
      `API step "${step.name}" (${step.relativeFile}) returned no response. Return { status, body } from the handler.`,
    )
  }
  return result
}

/** Validates the body: the 400 response for a body its schema refuses, else null (the parsed copy set on the request). */
function refuseBody(step: Step, request: ApiRequest): ApiResponse | null {
  const check = step.validators.body?.(request.body)
  if (check && !check.ok) {
    return { status: 400, body: { error: 'Request body does not match the bodySchema of this endpoint.', issues: check.issues } }
  }
  // The handler gets the body as sent (Motia never rewrote it); the schema's parsed copy rides beside it.
  if (check?.ok) request.parsedBody = check.value
  return null
}

/**
 * Starts an API step on a request with no transport: body validation (a failing body is the 400
 * response, returned as it is), middleware, handler. Returns what the handler returned, a promise or
 * not, unchecked: give the settled value to checkResponse. Throws what body validation throws; a
 * handler's throw is a rejected promise. The HTTP layer settles it with one `then` that checks and sends.
 */
export function startApiStep(step: Step, request: ApiRequest, ctx: FlowContext): unknown {
  const refused = refuseBody(step, request)
  if (refused) return refused
  const startedAt = performance.now()
  const running = run(step, request, ctx)
  reportBlocking(step, ctx, startedAt)
  return running
}

/**
 * Runs an API step on a request with no transport (see startApiStep) to its checked response.
 * Rejects with what the handler throws; the tester uses it.
 */
export function invokeApiStep(step: Step, request: ApiRequest, ctx: FlowContext): Promise<ApiResponse> {
  let running: unknown
  try {
    running = startApiStep(step, request, ctx)
  } catch (error) {
    return Promise.reject(error)
  }
  return Promise.resolve(running).then((result) => checkResponse(step, result))
}
