import { Worker } from 'node:worker_threads'
import type { OtlpProtocol } from './otel-settings.ts'
import type { ExportWorkerData, FromExportWorker, ToExportWorker } from './span-export-worker.ts'
import type { SpanBatch } from './span-wire.ts'

/** The export worker as the main thread drives it. */
export interface SpanExport {
  /** Hands a batch to the worker (its number array is transferred, not copied). */
  send(batch: SpanBatch): void
  /** Has the worker flush what it holds and shut its exporter down, then ends it. Idempotent. */
  close(): Promise<void>
}

/**
 * Starts the worker thread of span-export-worker.ts (from dist/, next to this module). It is unref'd, so it
 * never keeps a process up by itself, and ref'd while close() waits for its flush.
 */
export function startSpanExport(protocol: OtlpProtocol, env: Record<string, string | undefined>, warn: (message: string) => void): SpanExport {
  const workerData: ExportWorkerData = { protocol }
  const worker = new Worker(new URL('./span-export-worker.js', import.meta.url), { workerData, env: { ...env } })
  worker.unref()
  let closed: Promise<void> | undefined
  worker.on('message', (message: FromExportWorker) => {
    if (message.type === 'warn') warn(message.message)
  })
  worker.on('error', (error) => warn(`the span export worker failed: ${error.message}`))
  const post = (message: ToExportWorker, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer)
  return {
    send(batch) {
      if (!closed) post({ type: 'spans', batch }, [batch.numbers.buffer as ArrayBuffer])
    },
    close() {
      closed ??= (async () => {
        worker.ref()
        const done = new Promise<void>((resolve) => {
          worker.once('exit', () => resolve())
          worker.on('message', (message: FromExportWorker) => {
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
