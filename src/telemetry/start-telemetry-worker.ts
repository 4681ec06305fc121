import { Worker } from 'node:worker_threads'
import { toErrorMessage } from '../errors.ts'
import type { MetricSnapshot } from './otel-metrics.ts'
import type { FromTelemetryWorker, TelemetryWorkerData, ToTelemetryWorker } from './telemetry-worker.ts'
import { createSharedNumberArrays } from './shared-number-arrays.ts'
import type { NumberArrays, SpanBatch } from './span-wire.ts'

/** The export worker as the main thread drives it. */
export interface TelemetryWorker {
  /** Hands a batch of spans to the worker: its numbers are in one of `arrays`, shared with the worker, or else transferred. */
  send(batch: SpanBatch): void
  /** The number arrays to write batches in (see shared-number-arrays.ts). */
  arrays: NumberArrays
  /** Has the worker export what it holds (spans, and the metrics once more) and shut its exporters down, then ends it. Idempotent. */
  close(): Promise<void>
}

/**
 * Starts the worker thread of telemetry-worker.ts (from dist/, next to this module), which loads the
 * OpenTelemetry SDK and exporters so this thread loads none of them. When metrics are on it asks for
 * `snapshot()` at each collection. It is unref'd, so it never keeps a process up by itself, and ref'd
 * while close() waits for its last export.
 */
export function startTelemetryWorker(
  settings: Omit<TelemetryWorkerData, 'held'>,
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
  snapshot: () => Promise<MetricSnapshot>,
): TelemetryWorker {
  const arrays = createSharedNumberArrays()
  const workerData: TelemetryWorkerData = { ...settings, held: arrays.held }
  const worker = new Worker(new URL('./telemetry-worker.js', import.meta.url), { workerData, env: { ...env } })
  worker.unref()
  let closed: Promise<void> | undefined
  const post = (message: ToTelemetryWorker, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer)
  worker.on('message', (message: FromTelemetryWorker) => {
    if (message.type === 'warn') warn(message.message)
    if (message.type !== 'collect') return
    const { id } = message
    snapshot().then(
      (taken) => post({ type: 'snapshot', id, snapshot: taken }),
      (error: unknown) => post({ type: 'snapshot', id, error: `the metrics could not be read: ${toErrorMessage(error)}` }),
    )
  })
  worker.on('error', (error) => warn(`the telemetry export worker failed: ${error.message}`))
  return {
    arrays,
    send(batch) {
      if (closed) return
      const shared = arrays.indexOf(batch.numbers)
      post({ type: 'spans', batch, shared }, shared < 0 ? [batch.numbers.buffer as ArrayBuffer] : [])
    },
    close() {
      closed ??= (async () => {
        worker.ref()
        const done = new Promise<void>((resolve) => {
          worker.once('exit', () => resolve())
          worker.on('message', (message: FromTelemetryWorker) => {
            if (message.type === 'closed') resolve()
          })
        })
        post({ type: 'close' })
        await done
        await worker.terminate()
      })()
      return closed
    },
  }
}
