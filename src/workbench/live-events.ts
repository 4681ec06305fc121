import type { RequestHandler, Response } from 'express'
import type { LogEntry } from '../logger/create-logger.ts'
import type { JobEvent } from '../queue/queue.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import type { TraceRecorder } from '../trace/trace-recorder.ts'
import type { LogTail } from './log-tail.ts'
import type { MetricsInterval, MetricsRing } from './metrics-ring.ts'

/** A job change as the live stream sends it: enough to update a row, without the payload. */
export interface JobNote {
  type: JobEvent['type']
  id: string
  step: string
  topic: string
  status: string
  traceId: string
  attempts: number
  maxAttempts: number
}

/** What the live stream reads besides the runtime. */
export interface LiveEventsSources {
  recorder: TraceRecorder
  /** Log lines come through the tail, which already made them what the Workbench shows. */
  logs: LogTail
  /** The Metrics view's ring: each interval that ends is sent as `metrics`. */
  ring: MetricsRing
  /** Sent to each client on connect, so the page can show where it runs. */
  hello: Record<string, unknown>
}

/** How long changes are gathered before they are sent together. */
const FLUSH_MS = 100
/** Items of one kind kept per flush; older ones are counted as dropped. */
const MAX_BATCH = 500
/** A client that has this many bytes unsent is disconnected (its browser reconnects). */
const MAX_BUFFERED = 4 * 1024 * 1024

/** The `GET /__motia/events` stream (Server-Sent Events) and its lifecycle. */
export interface LiveEvents {
  handler: RequestHandler
  /** Ends every stream and stops listening. Idempotent. */
  close(): void
}

interface Batch<T> {
  items: T[]
  dropped: number
}

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

/**
 * Creates the live stream: graph changes after a reload, job events, log lines, trace updates and
 * state groups and streams written, gathered for 100 ms and sent as one chunk. It listens to the runtime only
 * while a client is connected.
 */
export function createLiveEvents(runtime: Runtime, sources: LiveEventsSources): LiveEvents {
  const { recorder } = sources
  const clients = new Set<Response>()
  let graphChanged = false
  let jobs: Batch<JobNote> = { items: [], dropped: 0 }
  let logs: Batch<LogEntry> = { items: [], dropped: 0 }
  let traces = new Set<string>()
  let groups = new Set<string>()
  let streams = new Set<string>()
  let interval: MetricsInterval | undefined
  let timer: NodeJS.Timeout | undefined
  let heartbeat: NodeJS.Timeout | undefined
  let stopListening: (() => void) | undefined
  let closed = false

  const later = (): void => {
    timer ??= setTimeout(flush, FLUSH_MS)
  }
  const push = <T>(batch: Batch<T>, item: T): void => {
    batch.items.push(item)
    if (batch.items.length > MAX_BATCH) {
      batch.items.shift()
      batch.dropped += 1
    }
    later()
  }

  function reset(): void {
    graphChanged = false
    jobs = { items: [], dropped: 0 }
    logs = { items: [], dropped: 0 }
    traces = new Set()
    groups = new Set()
    streams = new Set()
    interval = undefined
  }

  function listen(): () => void {
    // What was gathered before the last client left is stale for a new one, which loads the current state itself.
    reset()
    const stops = [
      runtime.registry.onChange(() => {
        graphChanged = true
        later()
      }),
      runtime.registry.onErrorsChange(() => {
        graphChanged = true
        later()
      }),
      runtime.queue.onEvent(({ type, job }) => {
        const { id, step, topic, status, traceId, attempts, maxAttempts } = job
        push(jobs, { type, id, step, topic, status, traceId, attempts, maxAttempts })
      }),
      sources.logs.onLine((line) => push(logs, line)),
      recorder.onChange((traceId) => {
        traces.add(traceId)
        later()
      }),
      sources.ring.onInterval((ended) => {
        interval = ended
        later()
      }),
      runtime.onActivity((activity) => {
        if (activity.type === 'state') groups.add(activity.group)
        else if (activity.type === 'stream') streams.add(activity.stream)
        else return
        later()
      }),
    ]
    return () => {
      for (const stop of stops) stop()
    }
  }

  function flush(): void {
    timer = undefined
    const frames: string[] = []
    if (graphChanged) frames.push(frame('graph', {}))
    if (jobs.items.length) frames.push(frame('jobs', { events: jobs.items, dropped: jobs.dropped }))
    if (logs.items.length) frames.push(frame('logs', { lines: logs.items, dropped: logs.dropped }))
    const summaries = [...traces].flatMap((id) => recorder.summary(id) ?? [])
    if (summaries.length) frames.push(frame('traces', { traces: summaries }))
    if (groups.size) frames.push(frame('state', { groups: [...groups] }))
    if (streams.size) frames.push(frame('streams', { streams: [...streams] }))
    if (interval) frames.push(frame('metrics', interval))
    reset()
    if (frames.length) broadcast(frames.join(''))
  }

  function broadcast(chunk: string): void {
    for (const res of clients) {
      // A client that cannot keep up is let go rather than buffered without bound; EventSource reconnects.
      if (res.writableLength > MAX_BUFFERED) drop(res)
      else res.write(chunk)
    }
  }

  function drop(res: Response): void {
    if (!clients.delete(res)) return
    res.end()
    if (clients.size > 0) return
    stopListening?.()
    stopListening = undefined
    clearInterval(heartbeat)
    heartbeat = undefined
    clearTimeout(timer)
    timer = undefined
  }

  return {
    handler(req, res) {
      if (closed) {
        res.status(503).json({ error: 'The server is shutting down.' })
        return
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      })
      res.write(`retry: 1000\n\n${frame('hello', sources.hello)}`)
      clients.add(res)
      if (clients.size === 1) {
        stopListening = listen()
        heartbeat = setInterval(() => broadcast(': keep-alive\n\n'), 15_000)
        heartbeat.unref()
      }
      req.once('close', () => drop(res))
    },
    close() {
      closed = true
      for (const res of [...clients]) drop(res)
    },
  }
}
