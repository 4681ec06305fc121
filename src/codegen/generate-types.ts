import { toJsonSchema } from '../schema/validator.ts'
import type { Step } from '../steps/step.ts'
import type { AnySchema } from '../types.ts'
import { toTypeScript } from './schema-to-type.ts'

/** The module `types.d.ts` augments: `motia-like`, or `motia` for projects whose step files import from it. */
export type TypesModule = 'motia-like' | 'motia'

export interface TypesFileOptions {
  module?: TypesModule
}

/** The TypeScript type of a schema, as the handler sees it once parsed (`output`) or as an emitter sends it (`input`). */
function typeOf(schema: AnySchema | undefined, io: 'input' | 'output'): string {
  return schema ? toTypeScript(toJsonSchema(schema, io)) : 'unknown'
}

function quote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

function group(type: string): string {
  return type.includes('|') && !/^[[{(]/.test(type) ? `(${type})` : type
}

/** A topic's data type: the union of what its subscribers accept (`unknown` when one accepts anything). */
function topicTypes(steps: Step[]): Map<string, string> {
  const byTopic = new Map<string, Set<string>>()
  for (const step of steps) {
    if (step.config.type !== 'event') continue
    const input = typeOf(step.config.input, 'input')
    for (const topic of step.subscribes) {
      const types = byTopic.get(topic) ?? new Set<string>()
      types.add(input)
      byTopic.set(topic, types)
    }
  }
  const result = new Map<string, string>()
  for (const [topic, types] of byTopic) {
    result.set(topic, types.has('unknown') ? 'unknown' : [...types].map(group).join(' | '))
  }
  return result
}

/** The events a step may emit, `{ topic; data }` per declared topic; `never` for a step that emits nothing. */
function emitType(step: Step, topics: Map<string, string>): string {
  const events = [...new Set(step.emits.map((emit) => emit.topic))].map(
    (topic) => `{ topic: ${quote(topic)}; data: ${topics.get(topic) ?? 'unknown'} }`,
  )
  return events.length === 0 ? 'never' : events.join(' | ')
}

function responsesType(responses: Record<number, AnySchema> | undefined): string {
  const entries = Object.entries(responses ?? {})
  if (entries.length === 0) return 'ApiResponse'
  return entries.map(([status, schema]) => `ApiResponse<${Number(status)}, ${typeOf(schema, 'input')}>`).join(' | ')
}

function handlerType(step: Step, topics: Map<string, string>): string | null {
  const emits = emitType(step, topics)
  const { config } = step
  switch (config.type) {
    case 'api': {
      const body = config.bodySchema ? typeOf(config.bodySchema, 'output') : 'Record<string, unknown>'
      return `ApiRouteHandler<${body}, ${responsesType(config.responseSchema)}, ${emits}>`
    }
    case 'event':
      // Jobs carry the data as emitted (validated, not transformed), so the handler sees the input type.
      return `EventHandler<${typeOf(config.input, 'input')}, ${emits}>`
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
  const topics = topicTypes(steps)
  const entries = [...steps]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((step) => {
      const type = handlerType(step, topics)
      return type ? [`    ${quote(step.name)}: ${type}`] : []
    })
  return [
    '/**',
    ' * Handler types of this project, generated from its step files by `motia-like generate types`.',
    ' * `motia-like dev` keeps it current; do not edit it by hand.',
    ' */',
    `import type { ApiResponse, ApiRouteHandler, CronHandler, EventHandler } from '${module}'`,
    '',
    `declare module '${module}' {`,
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
