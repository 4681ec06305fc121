/**
 * Public types of step files and handlers. They follow Motia 0.17 so step files written for it
 * type-check unchanged.
 */

import type { FlowContextStateStreams } from './streams/stream-types.ts'

/** A zod schema (v3 or v4) or a plain JSON Schema object. */
export type AnySchema = object

/** A topic a step may emit: a name, or a name with a label for the graph. */
export type Emit = string | { topic: string; label?: string; conditional?: boolean }

export type ApiRouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS' | 'HEAD'

export interface QueryParam {
  name: string
  description?: string
}

export interface HandlerInfrastructure {
  /** Seconds a handler may run before the attempt fails. */
  timeout?: number
  ram?: number
  cpu?: number
  machineType?: 'cpu' | 'memory' | 'gpu'
}

export interface QueueInfrastructure {
  type?: 'standard' | 'fifo'
  /** Field of the input whose value groups messages in a fifo queue, or 'traceId'. */
  messageGroupId?: string | null
  /** Retries after the first attempt; attempts = maxRetries + 1. */
  maxRetries?: number
  retryStrategy?: 'none' | 'exponential' | 'jitter'
  visibilityTimeout?: number
  delaySeconds?: number
  /** Jobs of this step that may run at once in one process. */
  concurrency?: number
  /** Exponential backoff: first delay and upper bound, in milliseconds. */
  backoff?: { baseMs?: number; maxMs?: number }
  /** At most `limit` attempts start in any `periodMs` (per value of `key`); jobs over it wait their turn. */
  rateLimit?: RateLimitConfig
  /** An input field (or a function of the input) whose value may run at most `concurrencyPerKey` attempts at once, in the whole cluster on Redis. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  concurrencyKey?: string | ((input: any) => unknown)
  /** Attempts at once per value of `concurrencyKey`; default 1. */
  concurrencyPerKey?: number
  /** Emits of one key within `periodMs` collapse into one job with the latest data, run after `periodMs` of quiet or `maxWaitMs` after the first. */
  debounce?: DebounceConfig
  /** At most `limit` jobs (per value of `key`) are accepted in any `periodMs`; the others end `skipped` and never run. */
  throttle?: RateLimitConfig
  /** The handler gets an array of up to `maxSize` inputs (of one `key`), once that many are due or `timeoutMs` after the first came due. */
  batch?: BatchConfig
}

/** A batch of an event step. */
export interface BatchConfig {
  maxSize: number
  timeoutMs: number
  /** An input field whose values never share a batch, or a function of the input; all inputs together when absent. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  key?: string | ((input: any) => unknown)
}

/** A debounce of an event step. */
export interface DebounceConfig {
  periodMs: number
  maxWaitMs?: number
  /** An input field whose value gets its own debounce, or a function of the input; all emits together when absent. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  key?: string | ((input: any) => unknown)
}

/** A rate limit of an event step: `limit` attempts (retries included) per `periodMs`, shared or per key. */
export interface RateLimitConfig {
  limit: number
  periodMs: number
  /** An input field whose value gets its own limit, or a function of the input returning the key. */
  // The input's type is the step's own: `any` lets a typed function be assigned.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  key?: string | ((input: any) => unknown)
}

export interface CronInfrastructure {
  /** 'skip' (default): a tick is skipped while the previous tick of the step runs (in the whole cluster on Redis); 'allow': ticks may overlap. */
  overlap?: 'skip' | 'allow'
}

export interface InfrastructureConfig {
  handler?: HandlerInfrastructure
  queue?: QueueInfrastructure
  /** Cron steps only. */
  cron?: CronInfrastructure
}

interface BaseConfig {
  name: string
  description?: string
  flows?: readonly string[]
  virtualEmits?: readonly Emit[]
  virtualSubscribes?: readonly string[]
  includeFiles?: readonly string[]
  infrastructure?: InfrastructureConfig
}

export interface ApiRouteConfig extends BaseConfig {
  type: 'api'
  path: string
  method: ApiRouteMethod
  emits?: readonly Emit[]
  // Middleware and schemas are typed loosely here: each step narrows them itself.
  middleware?: readonly ApiMiddleware<any, any, any>[] // eslint-disable-line @typescript-eslint/no-explicit-any
  bodySchema?: AnySchema
  responseSchema?: Record<number, AnySchema>
  queryParams?: readonly QueryParam[]
}

export interface EventConfig extends BaseConfig {
  type: 'event'
  subscribes: readonly string[]
  emits?: readonly Emit[]
  input?: AnySchema
}

export interface CronConfig extends BaseConfig {
  type: 'cron'
  cron: string
  timezone?: string
  emits?: readonly Emit[]
}

export interface NoopConfig extends BaseConfig {
  type: 'noop'
  virtualEmits: readonly Emit[]
  virtualSubscribes: readonly string[]
}

export type StepConfig = ApiRouteConfig | EventConfig | CronConfig | NoopConfig
export type StepType = StepConfig['type']

/** What `ctx.emit` takes. */
export interface EmitEvent<TTopic extends string = string, TData = unknown> {
  topic: TTopic
  data: TData
  /** Jobs with the same group run one at a time, in order, on fifo steps. */
  messageGroupId?: string
  /** Milliseconds before the jobs may run. */
  delay?: number
  /** A second emit with the same key (within the idempotency window) creates no new jobs. */
  idempotencyKey?: string
  /** Higher runs first; default 0. */
  priority?: number
}

/** What an emit may carry besides topic and data. */
export type EmitOptions = Omit<EmitEvent, 'topic' | 'data'>

/** `ctx.emit`: `TEmit` is the union of `{ topic, data }` the step may emit (all topics by default). */
export type Emitter<TEmit = EmitEvent> = (event: TEmit & EmitOptions) => Promise<void>

export interface StateManager {
  get<T = unknown>(group: string, key: string): Promise<T | null>
  set<T = unknown>(group: string, key: string, value: T): Promise<T>
  delete<T = unknown>(group: string, key: string): Promise<T | null>
  getGroup<T = unknown>(group: string): Promise<T[]>
  clear(group: string): Promise<void>
}

export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void
  warn(message: string, meta?: Record<string, unknown>): void
  error(message: string, meta?: Record<string, unknown>): void
  debug(message: string, meta?: Record<string, unknown>): void
}

export interface FlowContext<TEmit = EmitEvent> {
  emit: Emitter<TEmit>
  state: StateManager
  logger: Logger
  traceId: string
  /** The project's streams by name (`ctx.streams.todo.set(groupId, id, item)`); typed by `types.d.ts`. */
  streams: FlowContextStateStreams
}

export interface ApiRequest<TBody = unknown, TParsedBody = TBody> {
  /** The body as sent (parsed from JSON, urlencoded or text); `bodySchema` checks it and never rewrites it. */
  body: TBody
  /** The body as `bodySchema` parsed it (defaults filled in, undeclared fields dropped); undefined without a bodySchema. */
  parsedBody?: TParsedBody
  pathParams: Record<string, string>
  queryParams: Record<string, string | string[]>
  headers: Record<string, string | string[]>
  rawBody: string
}

export interface ApiResponse<TStatus extends number = number, TBody = unknown> {
  status: TStatus
  body: TBody
  headers?: Record<string, string>
}

export type ApiRouteHandler<
  TBody = unknown,
  TResponse extends ApiResponse = ApiResponse,
  TEmit = EmitEvent,
  TParsedBody = TBody,
> = (
  req: ApiRequest<TBody, TParsedBody>,
  ctx: FlowContext<TEmit>,
) => Promise<TResponse> | TResponse

export type ApiMiddleware<TBody = unknown, TEmit = EmitEvent, TResult = unknown> = (
  req: ApiRequest<TBody>,
  ctx: FlowContext<TEmit>,
  next: () => Promise<ApiResponse<number, TResult>>,
) => Promise<ApiResponse<number, TResult>>

export type EventHandler<TInput = unknown, TEmit = EmitEvent> = (
  input: TInput,
  ctx: FlowContext<TEmit>,
) => Promise<void> | void

export type CronHandler<TEmit = EmitEvent> = (ctx: FlowContext<TEmit>) => Promise<void> | void

export type StepHandler = ApiRouteHandler | EventHandler | CronHandler

/**
 * Handler types by step name. `motia-like generate types` augments it, as Motia's does:
 * `export const handler: Handlers['SendEmail'] = async (input, ctx) => {}`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Handlers {}
