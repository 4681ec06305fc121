/** The public API of motia-like: step config and handler types, defineStep, errors, and type helpers. */
export type {
  AnySchema,
  ApiMiddleware,
  ApiRequest,
  ApiResponse,
  ApiRouteConfig,
  ApiRouteHandler,
  ApiRouteMethod,
  CronConfig,
  CronHandler,
  DebounceConfig,
  Emit,
  EmitEvent,
  EmitOptions,
  Emitter,
  EventConfig,
  EventHandler,
  FlowContext,
  Handlers,
  InfrastructureConfig,
  Logger,
  NoopConfig,
  QueryParam,
  RateLimitConfig,
  StateManager,
  StepConfig,
  StepHandler,
} from './types.ts'
export type {
  BaseStreamItem,
  CustomStreamStorage,
  FlowContextStateStreams,
  MotiaStream,
  StateStreamEvent,
  StateStreamEventChannel,
  StreamAuthConfig,
  StreamAuthRequest,
  StreamConfig,
  StreamItemTag,
  StreamSubscription,
  TaggedStreamItem,
} from './streams/stream-types.ts'
export type { Job, JobStatus } from './queue/queue.ts'
export { defineStep } from './define-step.ts'
export { defineConfig } from './runtime/define-config.ts'
export type { ProjectConfig } from './runtime/define-config.ts'
export type { CorsSettings } from './runtime/cors-settings.ts'
export type { DefinedStep, EmitsOf, HandledConfig, Handler, InferSchema, ResponsesOf } from './define-step.ts'
export { BackendUnavailableError, HttpError, MotiaError, NonRetriableError, ValidationError } from './errors.ts'
