import type { Step } from '../steps/step.ts'
import type { FlowContext } from '../types.ts'

/** A handler that runs this long without yielding has stopped every other step, request and timer meanwhile. */
export const BLOCKING_MS = 500

/**
 * Logs, once, a handler whose synchronous run (up to its first await) since `startedAt`
 * (performance.now()) blocked the event loop for BLOCKING_MS or more, with its step, trace and job.
 */
export function reportBlocking(step: Step, ctx: FlowContext, startedAt: number, jobId?: string): void {
  const blockedMs = performance.now() - startedAt
  if (blockedMs < BLOCKING_MS) return
  ctx.logger.warn(
    `Step "${step.name}" (${step.relativeFile}) blocked the event loop for ${(blockedMs / 1000).toFixed(1)} s: no other step, request or timer ran meanwhile. Move the heavy work to a worker thread, or split it with awaits.`,
    { blockedMs: Math.round(blockedMs), ...(jobId ? { jobId } : {}) },
  )
}
