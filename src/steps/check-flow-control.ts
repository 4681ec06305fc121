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

/** The flow control a batch cannot be combined with: it acts on single jobs, and a batch runs many in one attempt. */
const notWithBatch: ReadonlyArray<[string, string]> = [
  ['debounce', 'debounce collapses emits into one job, a batch gathers them: keep one'],
  ['rateLimit', 'a rate limit counts single attempts; limit batches with concurrency instead'],
  ['concurrencyKey', 'concurrency per key counts single attempts; use batch.key and concurrency instead'],
]

/** Throws when a batch is combined with a fifo queue or with flow control that acts on single jobs. */
function checkBatchCombination(step: Step, source: () => string, queue: NonNullable<NonNullable<Step['config']['infrastructure']>['queue']>): void {
  if (queue.type === 'fifo') {
    throw configError(step, source, 'batch', 'config.infrastructure.queue.batch cannot run on a fifo queue (a batch runs many jobs of a group at once). Remove batch, or set type to standard.')
  }
  for (const [field, why] of notWithBatch) {
    if ((queue as Record<string, unknown>)[field] === undefined) continue
    throw configError(step, source, 'batch', `config.infrastructure.queue.batch cannot be combined with ${field} (${why}). Remove one of them.`)
  }
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
  checkKeyField(step, source, queue.batch?.key, 'infrastructure.queue.batch.key', 'key', 'Name an input field, or remove key to batch all inputs together.')
  if (queue.batch) checkBatchCombination(step, source, queue)
  if (queue.concurrencyPerKey !== undefined && queue.concurrencyKey === undefined) {
    throw configError(
      step,
      source,
      'concurrencyPerKey',
      'config.infrastructure.queue.concurrencyPerKey is set without concurrencyKey. Add concurrencyKey (the input field whose values each get that many attempts at once), or remove concurrencyPerKey.',
    )
  }
}
