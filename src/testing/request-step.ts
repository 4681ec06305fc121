import { randomUUID } from 'node:crypto'
import { match, type MatchFunction } from 'path-to-regexp'
import { toErrorResponse, toStepFailure } from '../http/http-errors.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import { invokeApiStep } from '../runtime/invoke-api-step.ts'
import type { Step } from '../steps/step.ts'
import type { ApiRequest } from '../types.ts'

/** What `tester.request` resolves to: the response as an HTTP client would read it. */
// The body is parsed JSON, a true boundary: tests read fields from it without casts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface TestResponse<TBody = any> {
  status: number
  body: TBody
  headers: Record<string, string>
  traceId: string
}

export interface TestRequestOptions {
  headers?: Record<string, string>
}

const matchers = new Map<string, MatchFunction<Partial<Record<string, string | string[]>>>>()

function matcherFor(path: string): MatchFunction<Partial<Record<string, string | string[]>>> {
  let matcher = matchers.get(path)
  if (!matcher) {
    // The options express 5's router uses: case-insensitive, optional trailing slash.
    matcher = match(path, { decode: decodeURIComponent, end: true, trailing: true, sensitive: false })
    matchers.set(path, matcher)
  }
  return matcher
}

/** The API step that serves a method and path, tried in the order HTTP tries them. */
function findRoute(api: Step[], method: string, path: string): { step: Step; params: Record<string, string> } | undefined {
  for (const step of api) {
    if (step.config.type !== 'api' || step.config.method !== method) continue
    const found = matcherFor(step.config.path)(path)
    if (!found) continue
    const params = Object.fromEntries(
      Object.entries(found.params).map(([key, value]) => [key, Array.isArray(value) ? value.join('/') : (value ?? '')]),
    )
    return { step, params }
  }
  return undefined
}

function toQueryParams(search: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {}
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key)
    query[key] = values.length === 1 ? (values[0] as string) : values
  }
  return query
}

/** A JSON round trip: the handler and the test see what travels over HTTP (dates become strings). */
function overTheWire(value: unknown): unknown {
  if (value === undefined || typeof value === 'string' || Buffer.isBuffer(value)) return value
  return JSON.parse(JSON.stringify(value)) as unknown
}

/**
 * Serves one request through the runtime's API steps with no server: route matching as in express,
 * body validation, middleware, handler, and errors mapped as `dev` maps them.
 */
export async function requestStep(
  runtime: Runtime,
  method: string,
  target: string,
  body: unknown,
  options: TestRequestOptions = {},
): Promise<TestResponse> {
  const url = new URL(target, 'http://tester.local')
  const traceId = randomUUID()
  const route = findRoute(runtime.apiSteps.list(), method.toUpperCase(), url.pathname)
  if (!route) {
    return { status: 404, body: { error: `No route for ${method.toUpperCase()} ${url.pathname}.` }, headers: {}, traceId }
  }
  const rawBody = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)
  const request: ApiRequest = {
    body: overTheWire(body) ?? {},
    pathParams: route.params,
    queryParams: toQueryParams(url.searchParams),
    headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value])),
    rawBody,
  }
  try {
    const response = await invokeApiStep(route.step, request, runtime.createContext(route.step, traceId))
    const headers = { ...response.headers, 'x-trace-id': traceId }
    return { status: response.status, body: overTheWire(response.body), headers, traceId }
  } catch (error) {
    const failure = toStepFailure(route.step, error, traceId)
    const { status, body: errorBody } = toErrorResponse(failure, { exposeMessages: true })
    if (status === 500) runtime.logger.error(failure.message, { error, traceId })
    return { status, body: errorBody, headers: { 'x-trace-id': traceId }, traceId }
  }
}
