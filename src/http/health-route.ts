import type { Request, RequestHandler } from 'express'
import type { Runtime } from '../runtime/create-runtime.ts'
import type { EventLoopLag } from '../telemetry/event-loop-lag.ts'

/** Whether one part of the backend answers (see Backend.health). */
export interface HealthCheck {
  name: string
  ok: boolean
  error?: string
}

export interface HealthOptions {
  /** Whether the admin guard would let this caller in: only then the full answer. */
  admits(req: Request): boolean
  /** Checks each part of the backend; never rejects. */
  check(): Promise<HealthCheck[]>
  /** The event-loop lag the full answer reports. */
  lag: EventLoopLag
}

/**
 * GET /__motia/health: 200 while every part of the backend answers, 503 while one does not, so a load
 * balancer drains the node. Anyone gets `{ status }`; callers the admin guard lets in also get the
 * steps, load errors, the event-loop lag and each backend part.
 */
export function createHealthRoute(runtime: Runtime, options: HealthOptions): RequestHandler {
  return async (req, res, next) => {
    try {
      const backends = await options.check()
      const status = backends.every((part) => part.ok) ? 'ok' : 'unavailable'
      res.status(status === 'ok' ? 200 : 503)
      if (!options.admits(req)) {
        res.json({ status })
        return
      }
      res.json({
        status,
        steps: runtime.registry.steps().length,
        errors: runtime.registry.errors().length,
        eventLoopLagMs: options.lag.read(),
        backends,
      })
    } catch (error) {
      next(error)
    }
  }
}
