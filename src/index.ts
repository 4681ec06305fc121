/** The public API of motia-like: step config and handler types, errors, and type helpers. */
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
  Emit,
  EmitEvent,
  Emitter,
  EventConfig,
  EventHandler,
  FlowContext,
  Handlers,
  InfrastructureConfig,
  Logger,
  NoopConfig,
  QueryParam,
  StateManager,
  StepConfig,
  StepHandler,
} from './types.ts'
export type { Job, JobStatus } from './queue/queue.ts'
export { HttpError, MotiaError, NonRetriableError, ValidationError } from './errors.ts'
