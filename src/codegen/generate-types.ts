import { toJsonSchema } from '../schema/validator.ts'
import type { Step } from '../steps/step.ts'
import { compareStrings } from '../graph/compare-strings.ts'
import { quote, toTypeScript, union } from './schema-to-type.ts'

/** The module `types.d.ts` augments: `motia-like`, or `motia` for projects whose step files import from it. */
export type TypesModule = 'motia-like' | 'motia'

/** What `types.d.ts` needs of a stream: its name and item schema. */
export interface StreamTypeSource {
  name: string
  jsonSchema: Record<string, unknown> | undefined
}

export interface TypesFileOptions {
  module?: TypesModule
  /** Declared in `FlowContextStateStreams`, so `ctx.streams.<name>` is typed. */
  streams?: StreamTypeSource[]
}

/** The TypeScript type of a JSON Schema the loader converted, or `unknown` when the step has none. */
function typeOf(schema: Record<string, unknown> | undefined): string {
  return schema ? toTypeScript(schema) : 'unknown'
}

/** A topic's data type: the union of what its subscribers accept (`unknown` when one accepts anything). */
function topicTypes(steps: Step[], inputs: Map<Step, string>): Map<string, string> {
  const byTopic = new Map<string, string[]>()
  for (const [step, input] of inputs) {
    for (const topic of step.subscribes) byTopic.set(topic, [...(byTopic.get(topic) ?? []), input])
  }
  return new Map([...byTopic].map(([topic, types]) => [topic, union(types)]))
}

/** The events a step may emit, `{ topic; data }` per declared topic; `never` for a step that emits nothing. */
function emitType(step: Step, topics: Map<string, string>): string {
  const events = [...new Set(step.emits.map((emit) => emit.topic))].map(
    (topic) => `{ topic: ${quote(topic)}; data: ${topics.get(topic) ?? 'unknown'} }`,
  )
  return events.length === 0 ? 'never' : events.join(' | ')
}

function responsesType(responses: Record<string, Record<string, unknown>> | undefined): string {
  const entries = Object.entries(responses ?? {})
  if (entries.length === 0) return 'ApiResponse'
  return entries.map(([status, schema]) => `ApiResponse<${Number(status)}, ${typeOf(schema)}>`).join(' | ')
}

function handlerType(step: Step, topics: Map<string, string>, input: string | undefined, module: TypesModule): string | null {
  const emits = emitType(step, topics)
  const { config } = step
  switch (config.type) {
    case 'api': {
      // `req.body` is the body as sent (checked, not rewritten): the schema's input type. `req.parsedBody`,
      // the schema's output, exists only in motia-like.
      if (!config.bodySchema) return `ApiRouteHandler<Record<string, unknown>, ${responsesType(step.jsonSchemas.responses)}, ${emits}>`
      const body = toTypeScript(step.jsonSchemas.body ?? toJsonSchema(config.bodySchema))
      const parsed = toTypeScript(toJsonSchema(config.bodySchema, 'output'))
      const parsedParam = module === 'motia-like' && parsed !== body ? `, ${parsed}` : ''
      return `ApiRouteHandler<${body}, ${responsesType(step.jsonSchemas.responses)}, ${emits}${parsedParam}>`
    }
    case 'event':
      // Jobs carry the data as emitted (validated, not transformed), so the handler sees the input type.
      // A batch step's handler gets an array of inputs.
      return config.infrastructure?.queue?.batch ? `EventHandler<Array<${input ?? 'unknown'}>, ${emits}>` : `EventHandler<${input ?? 'unknown'}, ${emits}>`
    case 'cron':
      return `CronHandler<${emits}>`
    default:
      return null
  }
}

/**
 * The text of `types.d.ts`: `Handlers['StepName']` for every step with a handler, its input typed from
 * its schema and its `emit` typed per topic from the subscribers' schemas (as Motia's generator does).
 */
export function toTypesFile(steps: Step[], options: TypesFileOptions = {}): string {
  const module = options.module ?? 'motia-like'
  // Each event step's input type, worked out once for its topics and its own handler.
  const inputs = new Map(steps.filter((step) => step.type === 'event').map((step) => [step, typeOf(step.jsonSchemas.input)]))
  const topics = topicTypes(steps, inputs)
  const entries = [...steps]
    .sort((a, b) => compareStrings(a.name, b.name))
    .flatMap((step) => {
      const type = handlerType(step, topics, inputs.get(step), module)
      return type ? [`    ${quote(step.name)}: ${type}`] : []
    })
  const streams = [...(options.streams ?? [])]
    .sort((a, b) => compareStrings(a.name, b.name))
    .map((stream) => `    ${quote(stream.name)}: MotiaStream<${typeOf(stream.jsonSchema)}>`)
  const imported = ['ApiResponse', 'ApiRouteHandler', 'CronHandler', 'EventHandler', ...(streams.length > 0 ? ['MotiaStream'] : [])]
  return [
    '/**',
    ' * Handler types of this project, generated from its step files by `motia-like generate types`.',
    ' * `motia-like dev` keeps it current; do not edit it by hand.',
    ' */',
    `import type { ${imported.join(', ')} } from '${module}'`,
    '',
    `declare module '${module}' {`,
    ...(streams.length > 0 ? ['  interface FlowContextStateStreams {', ...streams, '  }'] : []),
    '  interface Handlers {',
    ...entries,
    '  }',
    '}',
    '',
  ].join('\n')
}

/** The module an existing `types.d.ts` augments, so regenerating it keeps a Motia project's choice. */
export function detectTypesModule(existing: string | undefined): TypesModule {
  return /declare module ['"]motia['"]/.test(existing ?? '') ? 'motia' : 'motia-like'
}
