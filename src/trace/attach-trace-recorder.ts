import type { Runtime } from '../runtime/create-runtime.ts'
import type { TraceRecorder } from './trace-recorder.ts'

/**
 * Feeds a recorder with what a runtime reports: handler activity, requests and cron ticks, job events
 * and logs. Each source catches and logs what a listener throws. Returns the function that detaches it.
 */
export function attachTraceRecorder(runtime: Runtime, recorder: TraceRecorder): () => void {
  const stops = [
    runtime.onActivity((activity) => recorder.activity(activity)),
    runtime.onInvocation((invocation) => recorder.invocation(invocation)),
    runtime.queue.onEvent((event) => recorder.job(event), ['started', 'completed', 'failed']),
    runtime.logger.onLog((entry) => recorder.log(entry)),
  ]
  return () => {
    for (const stop of stops) stop()
  }
}
