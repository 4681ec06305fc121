import { defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions'
import { toErrorMessage } from '../errors.ts'
import type { JobEvent } from '../queue/queue.ts'
import type { Activity } from '../runtime/activity.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import type { Invocation } from '../runtime/invocations.ts'
import type { RecordedSpan, SpanRecorder } from './span-recorder.ts'
import type { ParentRef } from './span-sampler.ts'
import { SpanTemplate } from './span-wire.ts'
import { toOtelTraceId } from './trace-ids.ts'

const propagator = new W3CTraceContextPropagator()

/** The span a caller's W3C traceparent header names, or null when there is none or it is malformed. */
function toCallerParent(traceparent: string | undefined): ParentRef | null {
  if (!traceparent) return null
  const context = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter))
  return context ? { traceId: context.traceId, spanId: context.spanId, traceFlags: context.traceFlags, isRemote: true } : null
}

/**
 * The emit span a job's traceparent names. Written by `RecordedSpan.traceparent` (version 00, dashes at
 * fixed places), so it is split by position rather than parsed again by the propagator, which a fan-out
 * would pay once per attempt; anything else goes through the propagator.
 */
function toJobParent(traceparent: string | undefined): ParentRef | null {
  if (traceparent?.length !== 55 || !traceparent.startsWith('00-') || traceparent[35] !== '-' || traceparent[52] !== '-') {
    return toCallerParent(traceparent)
  }
  return { traceId: traceparent.slice(3, 35), spanId: traceparent.slice(36, 52), traceFlags: Number.parseInt(traceparent.slice(53), 16), isRemote: true }
}

/** The path without its query string. */
function toUrlPath(path: string | undefined): string {
  if (!path) return ''
  const query = path.indexOf('?')
  return query < 0 ? path : path.slice(0, query)
}

const runKey = (traceId: string, step: string): string => `${traceId}\u0000${step}`

/**
 * Turns what a runtime reports into spans: one per HTTP request to an API step (continuing the
 * caller's `traceparent`), per cron tick, per emit, and per job attempt, a child of the emit that
 * queued the job through the trace context stored with it; state and stream writes are events of the
 * span of the run that made them. A root span takes the trace id of our `traceId`. Returns the function
 * that detaches it and ends the spans still open.
 */
export function attachTracing(runtime: Runtime, recorder: SpanRecorder): () => void {
  /** Requests and cron ticks by invocation id, and by trace and step for their activity. */
  const invocations = new Map<number, { span: RecordedSpan; key: string }>()
  const runs = new Map<string, RecordedSpan>()
  /** Job attempts by job id. */
  const attempts = new Map<string, RecordedSpan>()
  /** Emit span names by topic, made once per topic rather than per emit. */
  const emitNames = new Map<string, string>()

  const runOf = (activity: Activity): RecordedSpan | undefined =>
    activity.jobId ? attempts.get(activity.jobId) : activity.step ? runs.get(runKey(activity.traceId, activity.step)) : undefined

  function invocation(event: Invocation): void {
    if (event.phase === 'start') {
      const root = toOtelTraceId(event.traceId)
      const span =
        event.kind === 'api'
          ? recorder.start(
              `${event.method ?? 'GET'} ${event.route ?? event.path ?? ''}`,
              SpanKind.SERVER,
              SpanTemplate.request,
              [event.step, event.traceId, event.method ?? 'GET', event.route ?? '', toUrlPath(event.path)],
              toCallerParent(event.traceparent),
              root,
            )
          : recorder.start(event.step, SpanKind.INTERNAL, SpanTemplate.cron, [event.step, event.traceId], null, root)
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
      if (event.status >= 500) span.setStatus(SpanStatusCode.ERROR)
      if (event.status === 0) span.setStatus(SpanStatusCode.ERROR, 'The client went away before the response.')
    }
    if (event.error !== undefined) span.setStatus(SpanStatusCode.ERROR, event.error)
    recorder.end(span)
  }

  function activity(event: Activity): void {
    const parent = runOf(event)
    if (event.type === 'state') {
      parent?.addEvent(`state.${event.op}`, ['motia.state.group', event.group, 'motia.state.key', event.key])
      return
    }
    if (event.type === 'stream') {
      parent?.addEvent(`stream.${event.op}`, ['motia.stream.name', event.stream, 'motia.stream.group', event.group, 'motia.stream.id', event.id])
      return
    }
    let name = emitNames.get(event.topic)
    if (name === undefined) {
      name = `send ${event.topic}`
      emitNames.set(event.topic, name)
    }
    const span = recorder.start(
      name,
      SpanKind.PRODUCER,
      SpanTemplate.emit,
      [event.topic, event.traceId, event.step],
      parent ?? null,
      parent ? null : toOtelTraceId(event.traceId),
    )
    event.traceContext = span.traceparent()
    recorder.end(span)
  }

  function job(event: JobEvent): void {
    const { job } = event
    if (event.type === 'started') {
      const parent = toJobParent(job.traceContext)
      const values = [job.topic, job.step, job.traceId, job.id, job.attempts, job.maxAttempts]
      attempts.set(job.id, recorder.start(job.step, SpanKind.CONSUMER, SpanTemplate.attempt, values, parent, parent ? null : toOtelTraceId(job.traceId)))
      return
    }
    const span = attempts.get(job.id)
    if (!span) return
    attempts.delete(job.id)
    if (event.type === 'completed' || event.type === 'cancelled') {
      span.setAttribute('motia.job.outcome', event.type)
    } else {
      span.setAttribute('motia.job.outcome', event.willRetry ? 'retry' : 'dead')
      span.setAttribute(ATTR_ERROR_TYPE, event.error instanceof Error ? event.error.name : 'Error')
      if (event.willRetry) span.setAttribute('motia.job.retry_at', new Date(job.runAt).toISOString())
      if (event.error instanceof Error) span.recordException(event.error)
      span.setStatus(SpanStatusCode.ERROR, toErrorMessage(event.error))
    }
    recorder.end(span)
  }

  const stops = [runtime.onInvocation(invocation), runtime.onActivity(activity), runtime.queue.onEvent(job, ['started', 'completed', 'failed'])]
  return () => {
    for (const stop of stops) stop()
    for (const span of [...attempts.values(), ...runs.values()]) recorder.end(span)
    attempts.clear()
    runs.clear()
    invocations.clear()
    recorder.flush()
  }
}
