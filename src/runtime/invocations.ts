import { performance } from 'node:perf_hooks'
import { toErrorMessage } from '../errors.ts'
import type { Feed } from '../feed.ts'

/** What started a run that is not a job (jobs are reported by the queue). */
export type InvocationKind = 'api' | 'cron'

/**
 * An HTTP request or cron tick running a step, reported when it starts and when it ends; `id` pairs
 * the two. Durations are measured with the monotonic clock.
 */
export type Invocation =
  | {
      phase: 'start'
      id: number
      kind: InvocationKind
      at: number
      traceId: string
      step: string
      method?: string
      path?: string
      /** The route the request matched, as the step declares it (`/orders/:id`). */
      route?: string
      /** The caller's W3C `traceparent` header, when it sent one. */
      traceparent?: string
    }
  | {
      phase: 'end'
      id: number
      kind: InvocationKind
      at: number
      traceId: string
      step: string
      /** As at the start, so a listener needs to keep nothing of it. */
      method?: string
      path?: string
      route?: string
      durationMs: number
      /** The HTTP status sent (api); 0 when the client went away before an answer. */
      status?: number
      /** Why a cron tick failed. */
      error?: string
    }

export type InvocationListener = (invocation: Invocation) => void

export type InvocationFeed = Feed<Invocation>

let nextId = 1

/** What an invocation says about itself when it starts. */
type InvocationStart = Omit<Extract<Invocation, { phase: 'start' }>, 'phase' | 'id' | 'at'>

/** Reports an invocation's start now; the returned function reports its end, with the time it took. */
export function startInvocation(feed: InvocationFeed, start: InvocationStart): (end?: { status?: number; error?: string }) => void {
  const id = nextId++
  // The module's `performance`: the global one is a lazy getter Node runs on every read.
  const started = performance.now()
  const { kind, traceId, step, method, path, route, traceparent } = start
  // Built field by field: a spread of `start` copies through a slow path, once per request.
  feed.report({ phase: 'start', id, at: Date.now(), kind, traceId, step, method, path, route, traceparent })
  return (end = {}) => {
    const durationMs = performance.now() - started
    feed.report({ phase: 'end', id, kind, at: Date.now(), traceId, step, method, path, route, durationMs, status: end.status, error: end.error })
  }
}

/** Runs one cron tick, reporting its start and its end (with the error when it fails) while someone listens. */
export async function trackTick(
  feed: InvocationFeed,
  step: string,
  traceId: string,
  run: (traceId: string) => Promise<void>,
): Promise<void> {
  if (!feed.active) return run(traceId)
  const end = startInvocation(feed, { kind: 'cron', traceId, step })
  try {
    await run(traceId)
    end()
  } catch (error) {
    end({ error: toErrorMessage(error) })
    throw error
  }
}
