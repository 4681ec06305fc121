import { StepConfigError } from '../errors.ts'
import { findFieldLine } from './error-location.ts'
import type { Step } from './step.ts'

/** The top-level fields an input JSON Schema declares, or null when it does not list them. */
function inputFields(schema: unknown): string[] | null {
  const properties = (schema as { properties?: unknown } | undefined)?.properties
  if (typeof properties !== 'object' || properties === null) return null
  return Object.keys(properties)
}

function configError(step: Step, source: () => string, lineField: string, message: string): StepConfigError {
  const line = findFieldLine(source(), lineField)
  const where = line ? `${step.relativeFile}:${line}` : step.relativeFile
  return new StepConfigError(step.file, `Invalid step config in ${where}: ${message}`, { line })
}

/** Throws when `key` is a field name that the step's `input` does not declare. */
function checkKeyField(step: Step, source: () => string, key: unknown, path: string, lineField: string, fix: string): void {
  if (typeof key !== 'string') return
  const fields = inputFields(step.jsonSchemas.input)
  const field = key.split('.')[0] ?? key
  if (fields === null || fields.includes(field)) return
  const known = fields.length > 0 ? fields.map((name) => `"${name}"`).join(', ') : 'none'
  throw configError(step, source, lineField, `config.${path} names "${field}", which is not a field of the step's input (fields: ${known}). ${fix}`)
}

/**
 * Checks what the config schema cannot: a key naming an input field (of a rate limit, of concurrency
 * per key) must name one the step's `input` declares, and concurrencyPerKey needs a concurrencyKey.
 * Throws StepConfigError naming the file, the field and the fix.
 */
export function checkFlowControl(step: Step, source: () => string): void {
  if (step.config.type !== 'event') return
  const queue = step.config.infrastructure?.queue
  if (!queue) return
  checkKeyField(step, source, queue.rateLimit?.key, 'infrastructure.queue.rateLimit.key', 'key', 'Name an input field, or remove key to share one limit.')
  checkKeyField(step, source, queue.throttle?.key, 'infrastructure.queue.throttle.key', 'key', 'Name an input field, or remove key to share one throttle.')
  checkKeyField(step, source, queue.debounce?.key, 'infrastructure.queue.debounce.key', 'key', 'Name an input field, or remove key to debounce all emits together.')
  checkKeyField(step, source, queue.concurrencyKey, 'infrastructure.queue.concurrencyKey', 'concurrencyKey', 'Name an input field, or remove concurrencyKey.')
  if (queue.concurrencyPerKey !== undefined && queue.concurrencyKey === undefined) {
    throw configError(
      step,
      source,
      'concurrencyPerKey',
      'config.infrastructure.queue.concurrencyPerKey is set without concurrencyKey. Add concurrencyKey (the input field whose values each get that many attempts at once), or remove concurrencyPerKey.',
    )
  }
}
