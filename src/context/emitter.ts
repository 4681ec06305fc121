import { EmitNotDeclaredError, ValidationError } from '../errors.ts'
import { type ActivityFeed, type Origin, reportEmit } from '../runtime/activity.ts'
import type { Logger } from '../types.ts'
import type { NewJob, Queue } from '../queue/queue.ts'
import { formatIssues } from '../schema/validator.ts'
import type { StepRegistry } from '../steps/registry.ts'
import type { Step } from '../steps/step.ts'
import type { EmitEvent } from '../types.ts'
import { type CallOrigin, markFault } from './fault-origin.ts'

const DEFAULT_MAX_RETRIES = 3

/** Routes an emitted event to a job per subscribing step; a rejection's error is marked with its origin. */
export type Emitter = (event: EmitEvent, origin: CallOrigin) => Promise<void>

function groupOf(event: EmitEvent, subscriber: Step, traceId: string): string | null {
  if (event.messageGroupId !== undefined) return event.messageGroupId
  const field = subscriber.config.infrastructure?.queue?.messageGroupId
  if (!field) return null
  if (field === 'traceId') return traceId
  const value = (event.data as Record<string, unknown> | null)?.[field]
  return value === undefined || value === null ? null : String(value)
}

function toJob(event: EmitEvent, subscriber: Step, traceId: string): NewJob {
  const queue = subscriber.config.infrastructure?.queue
  const delaySeconds = queue?.delaySeconds ?? 0
  return {
    step: subscriber.name,
    topic: event.topic,
    data: event.data,
    traceId,
    maxRetries: queue?.retryStrategy === 'none' ? 0 : (queue?.maxRetries ?? DEFAULT_MAX_RETRIES),
    messageGroupId: groupOf(event, subscriber, traceId),
    delayMs: event.delay ?? delaySeconds * 1000,
    priority: event.priority ?? 0,
    ...(event.idempotencyKey ? { idempotencyKey: event.idempotencyKey } : {}),
  }
}

/** What an emit resolves to once its jobs are stored. */
const stored = (): void => {}

/**
 * Creates the emitter: checks the topic is declared, validates the data against every subscriber's
 * input schema (a bad payload is the caller's fault, so it fails at emit), then stores one job per
 * subscriber before resolving. The activity feed hears of the emit once it is validated.
 */
export function createEmitter(registry: StepRegistry, queue: Queue, logger: Logger, feed: ActivityFeed): Emitter {
  // Not an async function: a fan-out keeps thousands of emits pending at once, and each would hold
  // its whole frame until its jobs are stored.
  return (event, origin) => {
    try {
      const jobs = toJobs(event, origin)
      return jobs.length === 0 ? Promise.resolve() : queue.enqueue(jobs).then(stored, (error: unknown) => {
        throw markFault(error, origin)
      })
    } catch (error) {
      return Promise.reject(markFault(error, origin))
    }
  }

  /** The jobs of an emit, one per subscriber, once it is declared and its data valid for each. */
  function toJobs(event: EmitEvent, origin: CallOrigin): NewJob[] {
    const { step, traceId } = origin
    if (step && !step.emits.some((spec) => spec.topic === event.topic)) {
      throw new EmitNotDeclaredError(step.name, step.relativeFile, event.topic)
    }
    const subscribers = registry.subscribersOf(event.topic)
    if (subscribers.length === 0) {
      logger.debug(`No step subscribes to "${event.topic}"; the event was not queued.`, { topic: event.topic, traceId })
      reportEmit(feed, event, origin)
      return []
    }
    const jobs: NewJob[] = []
    for (const subscriber of subscribers) {
      const check = subscriber.validators.input?.(event.data)
      if (check && !check.ok) {
        const from = step ? `Step "${step.name}" (${step.relativeFile}) emitted` : 'Emitted'
        throw new ValidationError(
          `${from} "${event.topic}" with data that does not match the input schema of step "${subscriber.name}" (${subscriber.relativeFile}): ${formatIssues(check.issues)}. Fix the data or the schema.`,
          check.issues,
        )
      }
      jobs.push(toJob(event, subscriber, traceId))
    }
    // Reported before the jobs exist, so a trace never shows a subscriber running ahead of the emit that fed it.
    const traceContext = reportEmit(feed, event, origin)
    if (traceContext) for (const job of jobs) job.traceContext = traceContext
    return jobs
  }
}
