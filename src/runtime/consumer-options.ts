import type { RootLogger } from '../logger/create-logger.ts'
import type { ConsumerOptions, Job } from '../queue/queue.ts'
import type { Step } from '../steps/step.ts'
import type { FlowContext, Logger } from '../types.ts'
import { toRateLimitKeyOf } from './rate-limit-key.ts'

/** Defaults for event steps that do not set `infrastructure`. */
export const JOB_DEFAULTS = {
  concurrency: 10,
  timeoutSeconds: 60,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
} as const

/** How the queue runs a step's jobs, from its `infrastructure` config. */
export function toConsumerOptions(step: Step): ConsumerOptions {
  const infrastructure = step.config.infrastructure
  const queue = infrastructure?.queue
  const options: ConsumerOptions = {
    concurrency: queue?.concurrency ?? JOB_DEFAULTS.concurrency,
    timeoutMs: (infrastructure?.handler?.timeout ?? JOB_DEFAULTS.timeoutSeconds) * 1000,
    fifo: queue?.type === 'fifo',
    backoff: {
      baseMs: queue?.backoff?.baseMs ?? JOB_DEFAULTS.backoffBaseMs,
      maxMs: queue?.backoff?.maxMs ?? JOB_DEFAULTS.backoffMaxMs,
    },
  }
  const rateLimit = queue?.rateLimit
  if (rateLimit) options.rateLimit = { limit: rateLimit.limit, periodMs: rateLimit.periodMs, keyOf: toRateLimitKeyOf(rateLimit.key) }
  const throttle = queue?.throttle
  if (throttle) options.throttle = { limit: throttle.limit, periodMs: throttle.periodMs, keyOf: toRateLimitKeyOf(throttle.key) }
  const debounce = queue?.debounce
  if (debounce) {
    options.debounce = { periodMs: debounce.periodMs, maxWaitMs: debounce.maxWaitMs ?? null, keyOf: toRateLimitKeyOf(debounce.key) ?? (() => '') }
  }
  const batch = queue?.batch
  if (batch) options.batch = { maxSize: batch.maxSize, timeoutMs: batch.timeoutMs, keyOf: toRateLimitKeyOf(batch.key) ?? (() => '') }
  const concurrencyKeyOf = toRateLimitKeyOf(queue?.concurrencyKey)
  if (concurrencyKeyOf) options.keyConcurrency = { limit: queue?.concurrencyPerKey ?? 1, keyOf: concurrencyKeyOf }
  return options
}

/** The context of a batch attempt: the first job's, with a logger whose lines also carry the batchId. */
export function withBatchLogger(ctx: FlowContext, root: RootLogger, step: Step, first: Job): FlowContext {
  let logger: Logger | undefined
  const bindings = { traceId: first.traceId, step: step.name, flows: step.flows, batchId: first.batchId }
  return Object.create(ctx, { logger: { get: () => (logger ??= root.child(bindings)) } }) as FlowContext
}
