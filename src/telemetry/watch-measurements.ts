import type { JobEvent } from '../queue/queue.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import type { Invocation } from '../runtime/invocations.ts'
import type { StreamSocketServer } from '../streams/stream-socket-server.ts'

/** How an attempt ended: completed, failed with a retry to come, or dead. */
export type AttemptOutcome = 'completed' | 'failed' | 'dead'

/** Where measurements go: the Prometheus registry, the OTLP meter, the Workbench's ring. */
export interface MetricSink {
  /** An attempt started after waiting `waitMs` past the time it could run. */
  attemptStarted(step: string, waitMs: number): void
  attemptEnded(step: string, outcome: AttemptOutcome, durationMs: number): void
  jobCancelled(step: string): void
  requestEnded(request: { method: string; route: string; status: number; durationMs: number }): void
  /** `count` frames about `stream` went to stream clients. */
  framesSent?(stream: string, count: number): void
  /** Stream clients sent `count` messages. */
  framesReceived?(count: number): void
}

/** What metrics read of the stream socket: its counts now, and its frames as they go. */
export type StreamSource = Pick<StreamSocketServer, 'connections' | 'subscriptions' | 'onFrames'>

/** Open stream connections and the subscriptions they hold, read at each scrape or export. */
export interface StreamCounts {
  connections: number
  subscriptions: number
}

/**
 * Feeds sinks with what a runtime reports: job attempts from the queue's events, HTTP requests from
 * the invocation feed. Returns the function that stops it.
 */
export function watchMeasurements(runtime: Runtime, sinks: readonly MetricSink[]): () => void {
  function job(event: JobEvent): void {
    const { job } = event
    if (event.type === 'started') {
      const waitMs = Math.max(0, (job.startedAt ?? Date.now()) - job.runAt)
      for (const sink of sinks) sink.attemptStarted(job.step, waitMs)
      return
    }
    if (event.type === 'cancelled') {
      for (const sink of sinks) sink.jobCancelled(job.step)
      return
    }
    // A failed attempt lasted from the job's startedAt to now, as the queue measures a completed one.
    const durationMs = event.type === 'completed' ? event.durationMs : job.startedAt === null ? 0 : Math.max(0, Date.now() - job.startedAt)
    const outcome: AttemptOutcome = event.type === 'completed' ? 'completed' : event.willRetry ? 'failed' : 'dead'
    for (const sink of sinks) sink.attemptEnded(job.step, outcome, durationMs)
  }

  function invocation(event: Invocation): void {
    if (event.kind !== 'api' || event.phase === 'start') return
    const request = { method: event.method ?? 'GET', route: event.route ?? event.path ?? '', status: event.status ?? 0, durationMs: event.durationMs }
    for (const sink of sinks) sink.requestEnded(request)
  }

  const stops = [runtime.queue.onEvent(job), runtime.onInvocation(invocation)]
  return () => {
    for (const stop of stops) stop()
  }
}

/** Feeds sinks with the frames a stream socket sends and receives. Returns the function that stops it. */
export function watchStreamFrames(streams: StreamSource, sinks: readonly MetricSink[]): () => void {
  return streams.onFrames((frames) => {
    if (frames.direction === 'sent') for (const sink of sinks) sink.framesSent?.(frames.stream, frames.count)
    else for (const sink of sinks) sink.framesReceived?.(frames.count)
  })
}
