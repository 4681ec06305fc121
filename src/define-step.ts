import type {
  AnySchema,
  ApiResponse,
  ApiRouteConfig,
  ApiRouteHandler,
  CronConfig,
  CronHandler,
  EmitEvent,
  EventConfig,
  EventHandler,
} from './types.ts'

/**
 * The data type of a zod 3 or zod 4 schema: what it produces once parsed (`output`, the default) or
 * what it accepts (`input`). JSON Schema objects carry no type, so their data is `unknown`.
 */
export type InferSchema<TSchema, TIo extends 'input' | 'output' = 'output'> = TSchema extends {
  _output: infer TOutput
  _input: infer TInput
}
  ? TIo extends 'output'
    ? TOutput
    : TInput
  : TSchema extends { _zod: { output: infer TOutput; input: infer TInput } }
    ? TIo extends 'output'
      ? TOutput
      : TInput
    : unknown

type TopicOf<TEmit> = TEmit extends string ? TEmit : TEmit extends { topic: infer TTopic extends string } ? TTopic : never

/** The events a config may emit: its declared topics (data unknown: the subscribers' schemas check it at emit). */
export type EmitsOf<TConfig> = TConfig extends { emits: readonly (infer TEmit)[] }
  ? EmitEvent<TopicOf<TEmit>, unknown>
  : never

// The handler gets the body as sent (checked, not rewritten): `req.body` has the schema's input type,
// `req.parsedBody` its output type.
type BodyOf<TConfig, TIo extends 'input' | 'output'> = TConfig extends { bodySchema: infer TSchema extends AnySchema }
  ? InferSchema<TSchema, TIo>
  : unknown

/** One `ApiResponse<status, body>` per entry of `responseSchema`; any response when there is none. */
export type ResponsesOf<TConfig> = TConfig extends { responseSchema: infer TResponses }
  ? { [TStatus in keyof TResponses]: ApiResponse<TStatus & number, InferSchema<TResponses[TStatus]>> }[keyof TResponses]
  : ApiResponse

// Jobs carry the data as emitted (validated, not transformed): the handler sees the schema's input type.
type InputOf<TConfig> = TConfig extends { input: infer TSchema extends AnySchema } ? InferSchema<TSchema, 'input'> : unknown

// A batch step's handler gets an array of inputs.
type HandlerInputOf<TConfig> = TConfig extends { infrastructure: { queue: { batch: object } } } ? Array<InputOf<TConfig>> : InputOf<TConfig>

/** A step config that runs a handler. */
export type HandledConfig = ApiRouteConfig | EventConfig | CronConfig

/**
 * The handler type of a config, inferred from its schemas: `req.body` from `bodySchema`, the response
 * from `responseSchema`, `input` from `input`, and `emit` limited to the declared topics.
 * @example
 * export const config = { type: 'event', name: 'SendEmail', subscribes: ['user.created'], emits: [], input } as const satisfies EventConfig
 * export const handler: Handler<typeof config> = async (input, ctx) => {}
 */
export type Handler<TConfig extends HandledConfig> = TConfig extends { type: 'api' }
  ? ApiRouteHandler<BodyOf<TConfig, 'input'>, ResponsesOf<TConfig>, EmitsOf<TConfig>, BodyOf<TConfig, 'output'>>
  : TConfig extends { type: 'event' }
    ? EventHandler<HandlerInputOf<TConfig>, EmitsOf<TConfig>>
    : CronHandler<EmitsOf<TConfig>>

/** What `defineStep` returns: export it as `config` and `handler` (or as the default export). */
export interface DefinedStep<TConfig extends HandledConfig> {
  config: TConfig
  handler: Handler<TConfig>
}

/**
 * Types a step's handler from its config, with no generated file: `input` and `req.body` come from
 * the zod schemas, `emit` accepts the declared topics only. Returns both, for the step file to export.
 * @example
 * export const { config, handler } = defineStep(
 *   { type: 'event', name: 'SendEmail', subscribes: ['user.created'], emits: ['email.sent'], input: z.object({ email: z.string() }) },
 *   async (input, { emit }) => emit({ topic: 'email.sent', data: { to: input.email } }),
 * )
 */
export function defineStep<const TConfig extends HandledConfig>(config: TConfig, handler: Handler<TConfig>): DefinedStep<TConfig> {
  return { config, handler }
}
