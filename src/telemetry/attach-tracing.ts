import { SpanKind, type SpanStatus, SpanStatusCode } from '@opentelemetry/api'
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions'
import { toErrorMessage } from '../errors.ts'
import type { Job, JobEvent } from '../queue/queue.ts'
import type { CallOrigin } from '../context/fault-origin.ts'
import type { AttemptAbort } from '../queue/attempt-abort.ts'
import type { ActivityTracer } from '../runtime/activity.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import type { Invocation } from '../runtime/invocations.ts'
import { NO_SPAN, type SpanRecorder } from './span-recorder.ts'
import { KnownKey, SpanTemplate, type WireValue } from './span-wire.ts'
import { isLowerHexAt, parseTraceparent, toTraceText } from './trace-ids.ts'

/**
 * Whether a job's traceparent is one the recorder wrote (`SpanRecorder.instant`: version 00, lowercase hex,
 * dashes at fixed places), so it can be read by position rather than parsed again by parseTraceparent, which
 * a fan-out would pay once per attempt.
 */
function isOwnTraceparent(traceparent: string): boolean {
  return (
    traceparent.length === 55 &&
    traceparent.startsWith('00-') &&
    traceparent[35] === '-' &&
    traceparent[52] === '-' &&
    isLowerHexAt(traceparent, 53) &&
    isLowerHexAt(traceparent, 54)
  )
}

/** The path without its query string. */
function toUrlPath(path: string | undefined): string {
  if (!path) return ''
  const query = path.indexOf('?')
  return query < 0 ? path : path.slice(0, query)
}

/** The attributes an attempt ends with when it completed: one list for all of them. */
const completedOutcome: readonly WireValue[] = [KnownKey['motia.job.outcome'], 'completed']

const stateEvents = { set: 'state.set', delete: 'state.delete', clear: 'state.clear' } as const
const streamEvents = { set: 'stream.set', delete: 'stream.delete', send: 'stream.send' } as const

/** An HTTP request or cron tick being traced: its invocation and trace, its span's slot, and what its span ends with. */
interface OpenRun {
  id: number
  traceId: string
  slot: number
  step: string
  name: string
  kind: SpanKind
  template: SpanTemplate
  values: WireValue[]
}

/** The template values of an attempt's span, written into `into` (the recorder reads them during the call only). */
function attemptValues(job: Job, into: WireValue[]): WireValue[] {
  into[0] = job.topic
  into[1] = job.step
  into[2] = job.traceId
  into[3] = job.id
  into[4] = job.attempts
  into[5] = job.maxAttempts
  return into
}

/** The attributes, exception event and status of an attempt that failed. */
function failure(recorder: SpanRecorder, slot: number, job: Job, error: unknown, willRetry: boolean): { attributes: WireValue[]; status: SpanStatus } {
  const attributes: WireValue[] = [KnownKey['motia.job.outcome'], willRetry ? 'retry' : 'dead', KnownKey[ATTR_ERROR_TYPE], error instanceof Error ? error.name : 'Error']
  if (willRetry) attributes.push(KnownKey['motia.job.retry_at'], new Date(job.runAt).toISOString())
  if (error instanceof Error) {
    const { code } = error as Error & { code?: unknown }
    const type = code ? String(code) : error.name || null
    recorder.addEvent(
      slot,
      'exception',
      KnownKey['exception.type'],
      type,
      KnownKey['exception.message'],
      error.message || null,
      KnownKey['exception.stacktrace'],
      error.stack || null,
    )
  }
  return { attributes, status: { code: SpanStatusCode.ERROR, message: toErrorMessage(error) } }
}

/**
 * Turns what a runtime reports into spans: one per HTTP request to an API step (continuing the
 * caller's `traceparent`), per cron tick, per emit, and per job attempt, a child of the emit that
 * queued the job through the trace context stored with it; state and stream writes are events of the
 * span of the run that made them. A root span takes the trace id of our `traceId`. Emits and writes
 * come through the runtime's activity tracer, attempts through the queue's events. Returns the function
 * that detaches it and ends the spans still open.
 */
export function attachTracing(runtime: Runtime, recorder: SpanRecorder): () => void {
  /**
   * The requests and cron ticks running now, in no order: as many as the requests in flight, so a scan
   * costs less than a map keyed by trace id, which hashed each request's new trace id and grew and shrank
   * its table with every request.
   */
  const running: OpenRun[] = []
  /**
   * The slots of running attempts: on their AttemptAbort (`span`), which their events and their context's
   * origin carry, so an attempt costs no lookup (with a map by job id, this listener took about 0.7 µs of a
   * traced fan-out event, now 0.15); by job id for a batch's jobs, which share one. By slot: the attempt's
   * job, and the AttemptAbort that holds the slot.
   */
  const attempts = new Map<string, number>()
  const attemptJobs: Array<Job | undefined> = []
  const attemptMarks: Array<AttemptAbort | undefined> = []
  /** Emit span names by topic, made once per topic rather than per emit. */
  const emitNames = new Map<string, string>()
  /** Request span names by route and method, made once rather than per request. */
  const requestNames = new Map<string, Map<string, string>>()
  /** The template values of the span being recorded: one array per template, filled for each span. */
  const emitValues: WireValue[] = []
  const attemptValuesOf: WireValue[] = []

  /** The slot of the span an activity belongs to: its attempt's, or its request's or tick's. */
  const slotOf = (origin: CallOrigin): number => {
    if (origin.jobId) {
      const span = origin.attempt?.span ?? NO_SPAN
      return span !== NO_SPAN ? span : attempts.size > 0 ? (attempts.get(origin.jobId) ?? NO_SPAN) : NO_SPAN
    }
    const step = origin.step?.name
    if (step === undefined) return NO_SPAN
    for (const run of running) if (run.traceId === origin.traceId && run.step === step) return run.slot
    return NO_SPAN
  }

  const requestName = (method: string, route: string): string => {
    let byMethod = requestNames.get(route)
    if (!byMethod) {
      byMethod = new Map()
      requestNames.set(route, byMethod)
    }
    let name = byMethod.get(method)
    if (name === undefined) {
      name = `${method} ${route}`
      byMethod.set(method, name)
    }
    return name
  }

  /**
   * The trace text of a request's or tick's root span: the runtime makes their trace ids with randomUUID(),
   * which the recorder takes as they are (see toTraceText), unread here.
   */
  const runTrace = (traceId: string): string | null => (traceId.length === 36 ? traceId : toTraceText(traceId))

  const openRun = (event: Extract<Invocation, { phase: 'start' }>): OpenRun => {
    const { id, traceId, step } = event
    if (event.kind === 'api') {
      const method = event.method ?? 'GET'
      // Names by route only: a path without one (never so for an API step) would grow the cache without bound.
      const name = event.route === undefined ? `${method} ${event.path ?? ''}` : requestName(method, event.route)
      const caller = parseTraceparent(event.traceparent)
      const slot = caller ? recorder.openRemote(caller, name, SpanKind.SERVER) : recorder.openRoot(runTrace(traceId), name, SpanKind.SERVER)
      const values = [step, traceId, method, event.route ?? '', toUrlPath(event.path)]
      return { id, traceId, slot, step, name, kind: SpanKind.SERVER, template: SpanTemplate.request, values }
    }
    const slot = recorder.openRoot(runTrace(traceId), step, SpanKind.INTERNAL)
    return { id, traceId, slot, step, name: step, kind: SpanKind.INTERNAL, template: SpanTemplate.cron, values: [step, traceId] }
  }

  function invocation(event: Invocation): void {
    if (event.phase === 'start') {
      running.push(openRun(event))
      return
    }
    let at = running.length - 1
    while (at >= 0 && (running[at] as OpenRun).id !== event.id) at--
    if (at < 0) return
    const run = running[at] as OpenRun
    running[at] = running[running.length - 1] as OpenRun
    running.pop()
    let attributes: WireValue[] | null = null
    let status: SpanStatus | null = null
    if (event.status !== undefined) {
      attributes = [KnownKey[ATTR_HTTP_RESPONSE_STATUS_CODE], event.status]
      if (event.status >= 500) status = { code: SpanStatusCode.ERROR }
      if (event.status === 0) status = { code: SpanStatusCode.ERROR, message: 'The client went away before the response.' }
    }
    if (event.error !== undefined) status = { code: SpanStatusCode.ERROR, message: event.error }
    recorder.close(run.slot, run.name, run.kind, run.template, run.values, attributes, status)
  }

  const tracer: ActivityTracer = {
    emitted(origin, topic) {
      const parent = slotOf(origin)
      let name = emitNames.get(topic)
      if (name === undefined) {
        name = `send ${topic}`
        emitNames.set(topic, name)
      }
      emitValues[0] = topic
      emitValues[1] = origin.traceId
      emitValues[2] = origin.step?.name ?? null
      const root = parent === NO_SPAN ? toTraceText(origin.traceId) : null
      return recorder.instant(parent, root, name, SpanKind.PRODUCER, SpanTemplate.emit, emitValues)
    },
    stateWritten(origin, op, group, key) {
      const slot = slotOf(origin)
      if (slot !== NO_SPAN) recorder.addEvent(slot, stateEvents[op], KnownKey['motia.state.group'], group, KnownKey['motia.state.key'], key)
    },
    streamWritten(origin, op, stream, group, id) {
      const slot = slotOf(origin)
      if (slot === NO_SPAN) return
      recorder.addEvent(slot, streamEvents[op], KnownKey['motia.stream.name'], stream, KnownKey['motia.stream.group'], group, KnownKey['motia.stream.id'], id)
    },
  }

  const openAttempt = (job: Job): number => {
    const parent = job.traceContext
    if (parent !== undefined && isOwnTraceparent(parent)) return recorder.openUnderTraceparent(parent, runTrace(job.traceId), job.step, SpanKind.CONSUMER)
    const caller = parseTraceparent(parent)
    return caller ? recorder.openRemote(caller, job.step, SpanKind.CONSUMER) : recorder.openRoot(toTraceText(job.traceId), job.step, SpanKind.CONSUMER)
  }

  /** The slot of the attempt an ending event is about, no longer kept (NO_SPAN when none is open). */
  const endingSlot = (event: Extract<JobEvent, { type: 'completed' | 'failed' }>): number => {
    const mark = event.attempt
    if (mark === undefined) {
      const slot = attempts.get(event.job.id)
      attempts.delete(event.job.id)
      return slot ?? NO_SPAN
    }
    const slot = mark.span
    if (slot === NO_SPAN || attemptMarks[slot] !== mark) return NO_SPAN
    mark.span = NO_SPAN
    attemptMarks[slot] = undefined
    return slot
  }

  function job(event: JobEvent): void {
    if (event.type === 'started') {
      const slot = openAttempt(event.job)
      const mark = event.attempt
      if (mark === undefined) attempts.set(event.job.id, slot)
      else {
        mark.span = slot
        attemptMarks[slot] = mark
      }
      attemptJobs[slot] = event.job
      return
    }
    if (event.type === 'cancelled') return
    const slot = endingSlot(event)
    if (slot === NO_SPAN) return
    const started = attemptJobs[slot] ?? event.job
    attemptJobs[slot] = undefined
    if (event.type !== 'failed') {
      recorder.close(slot, started.step, SpanKind.CONSUMER, SpanTemplate.attempt, attemptValues(started, attemptValuesOf), completedOutcome, null)
      return
    }
    const { attributes, status } = failure(recorder, slot, event.job, event.error, event.willRetry)
    recorder.close(slot, started.step, SpanKind.CONSUMER, SpanTemplate.attempt, attemptValues(started, attemptValuesOf), attributes, status)
  }

  const stops = [runtime.onInvocation(invocation), runtime.traceActivity(tracer), runtime.queue.onEvent(job, ['started', 'completed', 'failed'])]
  return () => {
    for (const stop of stops) stop()
    attemptJobs.forEach((started, slot) => {
      if (started) recorder.close(slot, started.step, SpanKind.CONSUMER, SpanTemplate.attempt, attemptValues(started, attemptValuesOf), null, null)
    })
    for (const mark of attemptMarks) if (mark) mark.span = NO_SPAN
    for (const run of running) recorder.close(run.slot, run.name, run.kind, run.template, run.values, null, null)
    attempts.clear()
    attemptJobs.length = 0
    attemptMarks.length = 0
    running.length = 0
    recorder.flush()
  }
}
