import { StepConfigError } from '../errors.ts'
import { findFieldLine } from './error-location.ts'
import type { Step } from './step.ts'

/** The top-level fields an input JSON Schema declares, or null when it does not list them. */
function inputFields(schema: unknown): string[] | null {
  const properties = (schema as { properties?: unknown } | undefined)?.properties
  if (typeof properties !== 'object' || properties === null) return null
  return Object.keys(properties)
}

/**
 * Checks what the config schema cannot: a rate-limit key naming an input field must name one the
 * step's `input` declares. Throws StepConfigError naming the file, the field and the fix.
 */
export function checkFlowControl(step: Step, source: string): void {
  if (step.config.type !== 'event') return
  const key = step.config.infrastructure?.queue?.rateLimit?.key
  if (typeof key !== 'string') return
  const fields = inputFields(step.jsonSchemas.input)
  const field = key.split('.')[0] ?? key
  if (fields === null || fields.includes(field)) return
  const line = findFieldLine(source, 'key')
  const where = line ? `${step.relativeFile}:${line}` : step.relativeFile
  const known = fields.length > 0 ? fields.map((name) => `"${name}"`).join(', ') : 'none'
  throw new StepConfigError(
    step.file,
    `Invalid step config in ${where}: config.infrastructure.queue.rateLimit.key names "${field}", which is not a field of the step's input (fields: ${known}). Name an input field, or remove key to share one limit.`,
    { line },
  )
}
