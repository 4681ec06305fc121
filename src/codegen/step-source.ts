import type { ApiRouteMethod } from '../types.ts'
import { quote } from './schema-to-type.ts'

/** What a new step file declares. */
export type NewStep =
  | { type: 'event'; name: string; subscribes: string[]; emits: string[]; flows: string[]; description?: string }
  | { type: 'api'; name: string; method: ApiRouteMethod; path: string; emits: string[]; flows: string[]; description?: string }
  | { type: 'cron'; name: string; cron: string; emits: string[]; flows: string[]; description?: string }

/** `SendEmail` → `send-email.step.ts`. */
export function stepFileName(name: string): string {
  const kebab = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()
  return `${kebab}.step.ts`
}

const list = (items: string[]) => `[${items.map((item) => quote(item)).join(', ')}]`

/** The handler's first lines: an example emit of the first declared topic, commented out. */
function emitHint(step: NewStep, indent: string): string[] {
  const topic = step.emits[0]
  return topic ? [`${indent}// await emit({ topic: ${quote(topic)}, data: {} })`] : []
}

function configLines(step: NewStep): string[] {
  const lines = [`type: '${step.type}',`, `name: ${quote(step.name)},`]
  if (step.description) lines.push(`description: ${quote(step.description)},`)
  if (step.type === 'event') {
    lines.push(`subscribes: ${list(step.subscribes)},`, `emits: ${list(step.emits)},`)
    lines.push('// The data this step accepts: an emit whose data does not match is rejected at emit.')
    lines.push('input: z.object({}),')
  } else if (step.type === 'api') {
    lines.push(`method: '${step.method}',`, `path: ${quote(step.path)},`)
    if (['POST', 'PUT', 'PATCH'].includes(step.method)) {
      lines.push('// A request body that does not match gets 400 with the issues.', 'bodySchema: z.object({}),')
    }
    lines.push('responseSchema: { 200: z.object({ ok: z.boolean() }) },', `emits: ${list(step.emits)},`)
  } else {
    lines.push(`cron: ${quote(step.cron)},`, `emits: ${list(step.emits)},`)
  }
  lines.push(`flows: ${list(step.flows)},`)
  return lines
}

function handlerLines(step: NewStep): string[] {
  const uses = [step.emits.length ? 'emit' : '', 'logger'].filter(Boolean).join(', ')
  const inner = '    '
  if (step.type === 'event') {
    return [`  async (input, { ${uses} }) => {`, `${inner}logger.info('${step.name} received an event', { input })`, ...emitHint(step, inner), '  },']
  }
  if (step.type === 'api') {
    return [
      `  async (req, { ${uses} }) => {`,
      `${inner}logger.info('${step.name} called', { params: req.pathParams })`,
      ...emitHint(step, inner),
      `${inner}return { status: 200, body: { ok: true } }`,
      '  },',
    ]
  }
  return [`  async ({ ${uses} }) => {`, `${inner}logger.info('${step.name} ran')`, ...emitHint(step, inner), '  },']
}

/**
 * The source of a new step file: `defineStep`, so `input`, `req.body` and `emit` are typed from the
 * config with no generated file.
 */
export function toStepSource(step: NewStep): string {
  const usesZod = step.type === 'event' || step.type === 'api'
  return [
    "import { defineStep } from 'motia-like'",
    ...(usesZod ? ["import { z } from 'zod'"] : []),
    '',
    'export const { config, handler } = defineStep(',
    '  {',
    ...configLines(step).map((line) => `    ${line}`),
    '  },',
    ...handlerLines(step),
    ')',
    '',
  ].join('\n')
}
