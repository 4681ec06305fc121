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
  /** When each running attempt of this process started (monotonic clock). */
  const running = new Map<string, number>()
  /** Method and route of each request in flight, by invocation id. */
  const requests = new Map<number, { method: string; route: string }>()

  function job(event: JobEvent): void {
    const { job } = event
    if (event.type === 'started') {
      running.set(job.id, performance.now())
      const waitMs = Math.max(0, (job.startedAt ?? Date.now()) - job.runAt)
      for (const sink of sinks) sink.attemptStarted(job.step, waitMs)
      return
    }
    if (event.type === 'cancelled') {
      for (const sink of sinks) sink.jobCancelled(job.step)
      return
    }
    const started = running.get(job.id)
    running.delete(job.id)
    const durationMs = event.type === 'completed' ? event.durationMs : started === undefined ? 0 : performance.now() - started
    const outcome: AttemptOutcome = event.type === 'completed' ? 'completed' : event.willRetry ? 'failed' : 'dead'
    for (const sink of sinks) sink.attemptEnded(job.step, outcome, durationMs)
  }

  function invocation(event: Invocation): void {
    if (event.kind !== 'api') return
    if (event.phase === 'start') {
      requests.set(event.id, { method: event.method ?? 'GET', route: event.route ?? event.path ?? '' })
      return
    }
    const request = requests.get(event.id)
    if (!request) return
    requests.delete(event.id)
    for (const sink of sinks) sink.requestEnded({ ...request, status: event.status ?? 0, durationMs: event.durationMs })
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
