import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
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

/** The context a caller's W3C traceparent header continues, or null when there is none or it is malformed. */
function toCallerParent(traceparent: string | undefined): Context | null {
  if (!traceparent) return null
  const context = propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter)
  return trace.getSpanContext(context) ? context : null
}

/**
 * The context of the emit a job's traceparent names. Written by `toTraceparent` below, so it is split
 * by position rather than parsed again by the propagator: a fan-out reads one per attempt.
 */
function toJobParent(traceparent: string | undefined): Context | null {
  if (traceparent?.length !== 55) return toCallerParent(traceparent)
  const spanContext = { traceId: traceparent.slice(3, 35), spanId: traceparent.slice(36, 52), traceFlags: Number.parseInt(traceparent.slice(53), 16), isRemote: true }
  return trace.isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : null
}

/** The W3C traceparent of a span (version 00). */
function toTraceparent(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext()
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`
}

/** The path without its query string. */
function toUrlPath(path: string | undefined): string {
  if (!path) return ''
  const query = path.indexOf('?')
  return query < 0 ? path : path.slice(0, query)
}

const runKey = (traceId: string, step: string): string => `${traceId}\u0000${step}`

/** An open span and, once something it ran emitted, the context that makes it a parent (made once: a fan-out emits thousands). */
interface Run {
  span: Span
  context?: Context
}

const contextOf = (run: Run): Context => (run.context ??= trace.setSpan(ROOT_CONTEXT, run.span))

/**
 * Turns what a runtime reports into spans: one per HTTP request to an API step (continuing the
 * caller's `traceparent`), per cron tick, per emit, and per job attempt, a child of the emit that
 * queued the job through the trace context stored with it; state writes are events of the span of
 * the run that made them. A root span takes the trace id of our `traceId`. Returns the function that
 * detaches it and ends the spans still open.
 */
export function attachTracing(runtime: Runtime, tracer: Tracer, ids: RootTraceIds): () => void {
  /** Requests and cron ticks by invocation id, and by trace and step for their activity. */
  const invocations = new Map<number, { run: Run; key: string }>()
  const runs = new Map<string, Run>()
  /** Job attempts by job id. */
  const attempts = new Map<string, Run>()

  const start = (name: string, attributes: Attributes, kind: SpanKind, parent: Context | null, traceId: string): Span =>
    parent
      ? tracer.startSpan(name, { kind, attributes }, parent)
      : ids.withRoot(traceId, () => tracer.startSpan(name, { kind, attributes }, ROOT_CONTEXT))

  const runOf = (activity: Activity): Run | undefined =>
    activity.jobId ? attempts.get(activity.jobId) : activity.step ? runs.get(runKey(activity.traceId, activity.step)) : undefined

  function invocation(event: Invocation): void {
    if (event.phase === 'start') {
      // Attribute objects are written out whole: the SDK copies them, and spreads would build each twice.
      const span =
        event.kind === 'api'
          ? start(
              `${event.method ?? 'GET'} ${event.route ?? event.path ?? ''}`,
              {
                'motia.step': event.step,
                'motia.trace_id': event.traceId,
                [ATTR_HTTP_REQUEST_METHOD]: event.method ?? 'GET',
                [ATTR_HTTP_ROUTE]: event.route ?? '',
                [ATTR_URL_PATH]: toUrlPath(event.path),
              },
              SpanKind.SERVER,
              toCallerParent(event.traceparent),
              event.traceId,
            )
          : start(event.step, { 'motia.step': event.step, 'motia.trace_id': event.traceId, 'motia.trigger': 'cron' }, SpanKind.INTERNAL, null, event.traceId)
      const key = runKey(event.traceId, event.step)
      const run = { span }
      invocations.set(event.id, { run, key })
      runs.set(key, run)
      return
    }
    const open = invocations.get(event.id)
    if (!open) return
    invocations.delete(event.id)
    runs.delete(open.key)
    const { span } = open.run
    if (event.status !== undefined) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, event.status)
      if (event.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      if (event.status === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'The client went away before the response.' })
    }
    if (event.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: event.error })
    span.end()
  }

  function activity(event: Activity): void {
    const parent = runOf(event)
    if (event.type === 'state') {
      parent?.span.addEvent(`state.${event.op}`, { 'motia.state.group': event.group, ...(event.key === null ? {} : { 'motia.state.key': event.key }) })
      return
    }
    if (event.type === 'stream') {
      const id = event.id === null ? {} : { 'motia.stream.id': event.id }
      parent?.span.addEvent(`stream.${event.op}`, { 'motia.stream.name': event.stream, 'motia.stream.group': event.group, ...id })
      return
    }
    const attributes: Attributes = {
      'messaging.system': 'motia',
      'messaging.operation.type': 'send',
      'messaging.destination.name': event.topic,
      'motia.trace_id': event.traceId,
    }
    if (event.step) attributes['motia.step'] = event.step
    const span = start(`send ${event.topic}`, attributes, SpanKind.PRODUCER, parent ? contextOf(parent) : null, event.traceId)
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
        'motia.step': job.step,
        'motia.trace_id': job.traceId,
        'motia.job.id': job.id,
        'motia.job.attempt': job.attempts,
        'motia.job.max_attempts': job.maxAttempts,
      }
      attempts.set(job.id, { span: start(job.step, attributes, SpanKind.CONSUMER, toJobParent(job.traceContext), job.traceId) })
      return
    }
    const span = attempts.get(job.id)?.span
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
    for (const { span } of [...attempts.values(), ...runs.values()]) span.end()
    attempts.clear()
    runs.clear()
    invocations.clear()
  }
}
