import { diag, type Exception } from '@opentelemetry/api'
import { type ExportResult, ExportResultCode, getNumberFromEnv, globalErrorHandler } from '@opentelemetry/core'
import { type SpanBatch, SpanReader } from './span-wire.ts'

/** The batching settings of the SDK's BatchSpanProcessor. */
export interface ExportQueueOptions {
  maxQueueSize: number
  maxExportBatchSize: number
  scheduledDelayMillis: number
  exportTimeoutMillis: number
}

/**
 * `OTEL_BSP_*` as the SDK reads them, over defaults for a server making thousands of spans a second (a
 * fan-out makes two per event): with the SDK's (a queue of 2,048, batches of 512, one export in flight)
 * most spans of a burst are dropped. A batch of 4,096 serializes in a few milliseconds, and the queue
 * holds 64k spans while one is sent.
 */
export function toExportQueueOptions(): ExportQueueOptions {
  const options = {
    maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE') ?? 65_536,
    maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? 4_096,
    scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY') ?? 5_000,
    exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT') ?? 30_000,
  }
  if (options.maxExportBatchSize > options.maxQueueSize) {
    diag.warn('BatchSpanProcessor: maxExportBatchSize must be smaller or equal to maxQueueSize, setting maxExportBatchSize to match maxQueueSize')
    options.maxExportBatchSize = options.maxQueueSize
  }
  return options
}

/** The spans of one export: each reader gives its `remaining` spans, `count` in all. */
export interface PackedSpans {
  readers: SpanReader[]
  count: number
}

/** What the queue exports to (see span-exporters.ts): the SDK's SpanExporter, over packed spans. */
export interface PackedSpanExporter {
  export(spans: PackedSpans, done: (result: ExportResult) => void): void
  shutdown(): Promise<void>
}

/** The ended spans of the export worker, waiting for the exporter. */
export interface SpanExportQueue {
  /** Queues the spans of a batch, as many as the queue has room for; the rest are dropped (and counted in a warning). */
  add(batch: SpanBatch): void
  /** Exports what is queued, then shuts the exporter down; spans added after are dropped. Idempotent. */
  shutdown(): Promise<void>
}

/**
 * The SDK's BatchSpanProcessor over packed spans: the same queue limit, batch size, schedule, timeout,
 * one export in flight, and the same warnings, but a span stays packed in its batch (see span-wire.ts)
 * until its export, which reads it from there. A queue of 64k rebuilt spans kept
 * every scavenge of this thread copying tens of megabytes, on the collector threads the main thread's
 * scavenges share; packed, the queue is a few typed arrays and strings.
 */
export function createSpanExportQueue(exporter: PackedSpanExporter, options: ExportQueueOptions): SpanExportQueue {
  const readers: SpanReader[] = []
  let queued = 0
  let dropped = 0
  let exporting = false
  let timer: NodeJS.Timeout | undefined
  let shutdown: Promise<void> | undefined

  const clearTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }

  /** Takes up to `count` spans from the front of the queue: whole batches, and the front of one when it holds more. */
  const take = (count: number): PackedSpans => {
    const spans: PackedSpans = { readers: [], count: 0 }
    while (spans.count < count) {
      const reader = readers[0]
      if (!reader) break
      const wanted = count - spans.count
      if (reader.remaining <= wanted) {
        spans.readers.push(reader)
        spans.count += reader.remaining
        readers.shift()
      } else {
        spans.readers.push(reader.split(wanted))
        spans.count += wanted
      }
    }
    queued -= spans.count
    return spans
  }

  const exportOne = (): Promise<void> => {
    clearTimer()
    if (queued === 0) return Promise.resolve()
    const spans = take(options.maxExportBatchSize)
    return new Promise<void>((resolve, reject) => {
      // Don't wait any longer for this export, so the next batch can start.
      const timeout = setTimeout(() => reject(new Error('Timeout')), options.exportTimeoutMillis)
      exporter.export(spans, (result) => {
        clearTimeout(timeout)
        if (result.code === ExportResultCode.SUCCESS) resolve()
        else reject(result.error ?? new Error('BatchSpanProcessor: span export failed'))
      })
    })
  }

  const exportNow = (): void => {
    exporting = true
    exportOne()
      .finally(() => {
        exporting = false
        if (queued > 0) {
          clearTimer()
          scheduleExport()
        }
      })
      .catch((error: unknown) => {
        exporting = false
        // What the export rejected with, handed on as the SDK's processor hands it.
        globalErrorHandler(error as Exception)
      })
  }

  /** Exports at once when a whole batch waits, else once the first queued span has waited the schedule delay. */
  function scheduleExport(): void {
    if (exporting) return
    if (queued >= options.maxExportBatchSize) return exportNow()
    if (timer !== undefined) return
    timer = setTimeout(exportNow, options.scheduledDelayMillis)
    timer.unref()
  }

  return {
    add(batch) {
      if (shutdown) return
      const kept = Math.max(0, Math.min(batch.count, options.maxQueueSize - queued))
      if (kept > 0 && dropped > 0) {
        diag.warn(`Dropped ${dropped} spans because maxQueueSize reached`)
        dropped = 0
      }
      dropped += batch.count - kept
      if (kept === 0) return
      const reader = new SpanReader(batch)
      reader.remaining = kept
      readers.push(reader)
      queued += kept
      scheduleExport()
    },

    shutdown() {
      shutdown ??= (async () => {
        const exports: Array<Promise<void>> = []
        for (let batches = Math.ceil(queued / options.maxExportBatchSize); batches > 0; batches--) exports.push(exportOne())
        await Promise.all(exports)
        await exporter.shutdown()
      })()
      return shutdown
    },
  }
}
