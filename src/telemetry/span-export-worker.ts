import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { DiagLogLevel, diag } from '@opentelemetry/api'
import type { OtlpProtocol } from './otel-settings.ts'
import { toResource } from './otel-resource.ts'
import { createSpanExportQueue, toExportQueueOptions } from './span-export-queue.ts'
import { toPackedSpanExporter } from './span-exporters.ts'
import type { SpanBatch } from './span-wire.ts'

/** What the main thread sends: a batch of ended spans, or the request to flush and shut down. */
export type ToExportWorker = { type: 'spans'; batch: SpanBatch } | { type: 'close' }
/** What the worker sends back: an export warning for the runtime's logger, or that it has flushed and shut down. */
export type FromExportWorker = { type: 'warn'; message: string } | { type: 'closed' }

/** What the worker is started with (its process.env is the runtime's environment, which the exporter and OTEL_BSP_* are read from). */
export interface ExportWorkerData {
  protocol: OtlpProtocol
}

/**
 * Makes this thread the last to get a busy CPU (nice 19). On Linux a thread's nice value is its own, so
 * the main thread keeps its priority: while requests and jobs take every core, spans wait in the queue
 * (64k of them, then dropped with a warning) instead of slowing the work they describe. Elsewhere, or
 * where it is not allowed, the thread keeps the process's priority.
 */
function lowerPriority(): void {
  if (process.platform !== 'linux') return
  try {
    setPriority(19)
  } catch {
    // Not allowed here: exporting at the process's priority is still correct.
  }
}

/**
 * The export thread: queues the batches the main thread packed (see span-export-queue.ts) and, at each
 * export, hands their spans to the exporter of the protocol (span-exporters.ts): for http/protobuf encoded
 * straight from the batches, for http/json rebuilt for the SDK's exporter. Its warnings (an export that
 * failed, spans dropped from a full queue) go to the main thread for the runtime's logger.
 */
async function run(): Promise<void> {
  const port = parentPort
  if (!port) return
  const { protocol } = workerData as ExportWorkerData
  const warn = (message: string) => port.postMessage({ type: 'warn', message } satisfies FromExportWorker)
  lowerPriority()
  diag.setLogger({ error: warn, warn, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN)
  const queue = createSpanExportQueue(await toPackedSpanExporter(protocol, toResource()), toExportQueueOptions())
  port.on('message', (message: ToExportWorker) => {
    if (message.type === 'spans') {
      queue.add(message.batch)
      return
    }
    queue
      .shutdown()
      .catch((error: unknown) => warn(String(error)))
      .finally(() => port.postMessage({ type: 'closed' } satisfies FromExportWorker))
  })
}

await run()
