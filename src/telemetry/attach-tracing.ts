import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions'
import { toErrorMessage } from '../errors.ts'
import type { JobEvent } from '../queue/queue.ts'
import type { Activity } from '../runtime/activity.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import type { Invocation } from '../runtime/invocations.ts'
import type { RootTraceIds } from './trace-ids.ts'

const propagator = new W3CTraceContextPropagator()

/** The context a W3C traceparent continues, or null when there is none or it is malformed. */
function toParent(traceparent: string | undefined): Context | null {
  if (!traceparent) return null
  const context = propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter)
  return trace.getSpanContext(context) ? context : null
}

/** The W3C traceparent of a span. */
function toTraceparent(span: Span): string | undefined {
  const carrier: Record<string, string> = {}
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter)
  return carrier['traceparent']
}

const runKey = (traceId: string, step: string): string => `${traceId}\u0000${step}`

/**
 * Turns what a runtime reports into spans: one per HTTP request to an API step (continuing the
 * caller's `traceparent`), per cron tick, per emit, and per job attempt, a child of the emit that
 * queued the job through the trace context stored with it; state writes are events of the span of
 * the run that made them. A root span takes the trace id of our `traceId`. Returns the function that
 * detaches it and ends the spans still open.
 */
export function attachTracing(runtime: Runtime, tracer: Tracer, ids: RootTraceIds): () => void {
  /** Requests and cron ticks by invocation id, and by trace and step for their activity. */
  const invocations = new Map<number, { span: Span; key: string }>()
  const runs = new Map<string, Span>()
  /** Job attempts by job id. */
  const attempts = new Map<string, Span>()

  const start = (name: string, attributes: Attributes, kind: SpanKind, parent: Context | null, traceId: string): Span =>
    parent
      ? tracer.startSpan(name, { kind, attributes }, parent)
      : ids.withRoot(traceId, () => tracer.startSpan(name, { kind, attributes }, ROOT_CONTEXT))

  const spanOf = (activity: Activity): Span | undefined =>
    activity.jobId ? attempts.get(activity.jobId) : activity.step ? runs.get(runKey(activity.traceId, activity.step)) : undefined

  function invocation(event: Invocation): void {
    if (event.phase === 'start') {
      const common = { 'motia.step': event.step, 'motia.trace_id': event.traceId }
      const span =
        event.kind === 'api'
          ? start(
              `${event.method ?? 'GET'} ${event.route ?? event.path ?? ''}`,
              {
                ...common,
                [ATTR_HTTP_REQUEST_METHOD]: event.method ?? 'GET',
                [ATTR_HTTP_ROUTE]: event.route ?? '',
                [ATTR_URL_PATH]: (event.path ?? '').split('?')[0] ?? '',
              },
              SpanKind.SERVER,
              toParent(event.traceparent),
              event.traceId,
            )
          : start(event.step, { ...common, 'motia.trigger': 'cron' }, SpanKind.INTERNAL, null, event.traceId)
      const key = runKey(event.traceId, event.step)
      invocations.set(event.id, { span, key })
      runs.set(key, span)
      return
    }
    const open = invocations.get(event.id)
    if (!open) return
    invocations.delete(event.id)
    runs.delete(open.key)
    const { span } = open
    if (event.status !== undefined) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, event.status)
      if (event.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      if (event.status === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'The client went away before the response.' })
    }
    if (event.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: event.error })
    span.end()
  }

  function activity(event: Activity): void {
    const parent = spanOf(event)
    if (event.type === 'state') {
      parent?.addEvent(`state.${event.op}`, { 'motia.state.group': event.group, ...(event.key === null ? {} : { 'motia.state.key': event.key }) })
      return
    }
    const span = start(
      `send ${event.topic}`,
      {
        'messaging.system': 'motia',
        'messaging.operation.type': 'send',
        'messaging.destination.name': event.topic,
        'motia.trace_id': event.traceId,
        ...(event.step ? { 'motia.step': event.step } : {}),
      },
      SpanKind.PRODUCER,
      parent ? trace.setSpan(ROOT_CONTEXT, parent) : null,
      event.traceId,
    )
    event.traceContext = toTraceparent(span)
    span.end()
  }

  function job(event: JobEvent): void {
    const { job } = event
    if (event.type === 'started') {
      const attributes: Attributes = {
        'messaging.system': 'motia',
        'messaging.operation.type': 'process',
        'messaging.destination.name': job.topic,
        'messaging.message.id': job.id,
        'motia.step': job.step,
        'motia.trace_id': job.traceId,
        'motia.job.id': job.id,
        'motia.job.attempt': job.attempts,
        'motia.job.max_attempts': job.maxAttempts,
      }
      attempts.set(job.id, start(job.step, attributes, SpanKind.CONSUMER, toParent(job.traceContext), job.traceId))
      return
    }
    const span = attempts.get(job.id)
    if (!span) return
    attempts.delete(job.id)
    if (event.type === 'completed' || event.type === 'cancelled') {
      span.setAttribute('motia.job.outcome', event.type)
    } else {
      span.setAttributes({
        'motia.job.outcome': event.willRetry ? 'retry' : 'dead',
        [ATTR_ERROR_TYPE]: event.error instanceof Error ? event.error.name : 'Error',
        ...(event.willRetry ? { 'motia.job.retry_at': new Date(job.runAt).toISOString() } : {}),
      })
      if (event.error instanceof Error) span.recordException(event.error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: toErrorMessage(event.error) })
    }
    span.end()
  }

  const stops = [runtime.onInvocation(invocation), runtime.onActivity(activity), runtime.queue.onEvent(job, ['started', 'completed', 'failed'])]
  return () => {
    for (const stop of stops) stop()
    for (const span of [...attempts.values(), ...runs.values()]) span.end()
    attempts.clear()
    runs.clear()
    invocations.clear()
  }
}
