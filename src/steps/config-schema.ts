import { z } from 'zod'
import { loadCron } from '../cron/load-cron.ts'

const topic = z.string().min(1, 'a topic is a non-empty string')

const emit = z.union([
  topic,
  z.strictObject({ topic, label: z.string().optional(), conditional: z.boolean().optional() }),
])

const schema = z.custom<object>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'must be a zod schema (v3 or v4) or a JSON Schema object',
)

const handlerInfra = z.strictObject({
  timeout: z.number().positive('timeout is in seconds and must be above 0').optional(),
  ram: z.number().optional(),
  cpu: z.number().optional(),
  machineType: z.enum(['cpu', 'memory', 'gpu']).optional(),
})

/** `key` of a flow-control setting: an input field's name or a function of the input. */
const inputKey = (withoutIt: string) =>
  z
    .union([
      z.string().min(1, `key names an input field; ${withoutIt}`),
      z.custom<(input: unknown) => unknown>((value) => typeof value === 'function', 'must be a function'),
    ])
    .optional()

/** `{ limit, periodMs, key? }` of a rate limit (attempts that start) or a throttle (jobs accepted). */
const windowLimit = (counted: string) =>
  z.strictObject({
    limit: z.number().int(`limit is a whole number of ${counted}`).min(1, `limit must be at least 1: the ${counted} per period`),
    periodMs: z.number().positive('periodMs is the window in milliseconds and must be above 0'),
    key: inputKey('remove it to share one limit'),
  })

const debounce = z.strictObject({
  periodMs: z.number().positive('periodMs is the quiet time in milliseconds and must be above 0'),
  maxWaitMs: z.number().positive('maxWaitMs is in milliseconds and must be above 0').optional(),
  key: inputKey('remove it to debounce all emits together'),
})

const batch = z.strictObject({
  maxSize: z
    .number()
    .int('maxSize is a whole number of inputs per handler call')
    .min(1, 'maxSize must be at least 1')
    .max(10_000, 'maxSize must be at most 10000: a batch is one handler call'),
  timeoutMs: z.number().positive('timeoutMs is how long a batch waits to fill, in milliseconds, and must be above 0'),
  key: inputKey('remove it to batch all inputs together'),
})

const queueInfra = z.strictObject({
  type: z.enum(['standard', 'fifo']).optional(),
  messageGroupId: z.string().nullable().optional(),
  maxRetries: z.number().int().min(0, 'maxRetries cannot be negative').optional(),
  retryStrategy: z.enum(['none', 'exponential', 'jitter']).optional(),
  visibilityTimeout: z.number().min(0).optional(),
  delaySeconds: z.number().min(0, 'delaySeconds cannot be negative').optional(),
  concurrency: z.number().int().min(1, 'concurrency must be at least 1').optional(),
  backoff: z
    .strictObject({ baseMs: z.number().min(0).optional(), maxMs: z.number().min(0).optional() })
    .optional(),
  rateLimit: windowLimit('attempts that may start').optional(),
  debounce: debounce.optional(),
  throttle: windowLimit('jobs accepted').optional(),
  batch: batch.optional(),
  concurrencyKey: z
    .union([
      z.string().min(1, 'concurrencyKey names an input field'),
      z.custom<(input: unknown) => unknown>((value) => typeof value === 'function', 'must be a function'),
    ])
    .optional(),
  concurrencyPerKey: z
    .number()
    .int('concurrencyPerKey is a whole number of attempts')
    .min(1, 'concurrencyPerKey must be at least 1')
    .optional(),
})

const infrastructure = z.strictObject({ handler: handlerInfra.optional(), queue: queueInfra.optional() })

const base = {
  name: z.string().min(1, 'name is required: a unique name for the step'),
  description: z.string().optional(),
  flows: z.array(z.string()).optional(),
  virtualEmits: z.array(emit).optional(),
  virtualSubscribes: z.array(topic).optional(),
  includeFiles: z.array(z.string()).optional(),
  infrastructure: infrastructure.optional(),
}

/** The HTTP methods an API step may answer. */
export const API_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const

const apiConfig = z.strictObject({
  ...base,
  type: z.literal('api'),
  path: z.string().startsWith('/', 'path must start with "/", for example "/orders/:id"'),
  method: z.enum(API_METHODS),
  emits: z.array(emit).optional(),
  bodySchema: schema.optional(),
  responseSchema: z.record(z.string().regex(/^\d{3}$/, 'keys are HTTP statuses'), schema).optional(),
  queryParams: z.array(z.strictObject({ name: z.string(), description: z.string().optional() })).optional(),
  middleware: z.array(z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', 'must be a function')).optional(),
})

const eventConfig = z.strictObject({
  ...base,
  type: z.literal('event'),
  // Empty is allowed, as Motia allows it (a step still being wired up); the graph warns that it never runs.
  subscribes: z.array(topic),
  emits: z.array(emit).optional(),
  input: schema.optional(),
})

/** True when the runtime knows the IANA time zone (as the cron package and Intl do). */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name })
    return true
  } catch {
    return false
  }
}

/** True when the expression names a time that comes: "0 0 31 2 *" (February 31st) never does. */
function fires(expr: string): boolean {
  try {
    new (loadCron().CronTime)(expr, 'UTC').sendAt()
    return true
  } catch {
    return false
  }
}

const cronInfra = z.strictObject({
  overlap: z.enum(['skip', 'allow'], { error: 'must be "skip" (the default: a tick is skipped while the previous one runs) or "allow"' }).optional(),
})

const cronConfig = z
  .strictObject({
    ...base,
    type: z.literal('cron'),
    cron: z.string().refine((expr) => loadCron().validateCronExpression(expr).valid, {
      message: 'is not a valid cron expression; use 5 fields ("*/5 * * * *") or 6 with seconds',
    }),
    timezone: z.string().refine(isTimeZone, { message: 'is not a time zone; use an IANA name such as "Europe/Paris" or "UTC"' }).optional(),
    emits: z.array(emit).optional(),
    infrastructure: infrastructure.extend({ cron: cronInfra.optional() }).optional(),
  })
  .superRefine((config, ctx) => {
    if (loadCron().validateCronExpression(config.cron).valid && !fires(config.cron)) {
      ctx.addIssue({
        code: 'custom',
        path: ['cron'],
        message: `"${config.cron}" never fires (no such date comes in the next 8 years); check its day-of-month and month fields`,
      })
    }
  })

const noopConfig = z.strictObject({
  ...base,
  type: z.literal('noop'),
  virtualEmits: z.array(emit),
  virtualSubscribes: z.array(topic),
})

/** The strict schema of every step config, chosen by `type`. */
export const stepConfigSchema = z.discriminatedUnion('type', [apiConfig, eventConfig, cronConfig, noopConfig], {
  error: 'must be one of "api", "event", "cron", "noop"',
})

export type ParsedStepConfig = z.infer<typeof stepConfigSchema>

/** Names a zod issue path like `infrastructure.queue.maxRetries`. */
export function toFieldPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || 'config'
}
