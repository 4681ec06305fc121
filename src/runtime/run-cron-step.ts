import type { Step } from '../steps/step.ts'
import { reportBlocking } from './report-blocking.ts'
import type { CronHandler, EventHandler, FlowContext } from '../types.ts'

/** Runs one tick of a cron step; a handler written `(input, ctx)`, as in Motia's guides, gets `{}` and the context. */
export async function runCronStep(step: Step, ctx: FlowContext): Promise<void> {
  const handler = step.handler as CronHandler | EventHandler<unknown>
  const startedAt = performance.now()
  const running = handler.length >= 2 ? (handler as EventHandler<unknown>)({}, ctx) : (handler as CronHandler)(ctx)
  reportBlocking(step, ctx, startedAt)
  await running
}
