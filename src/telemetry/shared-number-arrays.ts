import type { NumberArrays, SpanBatch } from './span-wire.ts'

/**
 * Shared arrays at most (8 MB): made only as batches wait, and kept. A fan-out of 10,000 events held up to 22 at
 * once, while the worker, at the lowest priority, encoded an export before reading its messages.
 */
export const MAX_SHARED_ARRAYS = 32
/** The numbers of a shared array at least: a batch of 1,024 spans needs about 30,000. */
const MIN_LENGTH = 32_768

/**
 * The number arrays of a recorder whose batches go to the export worker: shared memory that the worker
 * copies a batch out of as it arrives and then hands back, so the main thread writes every batch into
 * memory it already has. Where none is free and no more may be made, an array of its own, which the batch
 * transfers.
 */
export interface SharedNumberArrays extends NumberArrays {
  /** Per shared array, 1 while the main thread or a batch in flight holds it, 0 when free (see copyOutOfShared). */
  readonly held: Int32Array
  /** The index of the shared array `numbers` is a view of, or -1 for an array of its own. */
  indexOf(numbers: Float64Array): number
}

export function createSharedNumberArrays(): SharedNumberArrays {
  const held = new Int32Array(new SharedArrayBuffer(MAX_SHARED_ARRAYS * Int32Array.BYTES_PER_ELEMENT))
  const buffers: SharedArrayBuffer[] = []
  const indexOf = (numbers: Float64Array): number => buffers.indexOf(numbers.buffer as SharedArrayBuffer)
  return {
    held,
    indexOf,
    get(length) {
      const bytes = length * Float64Array.BYTES_PER_ELEMENT
      for (const [index, buffer] of buffers.entries()) {
        if (buffer.byteLength >= bytes && Atomics.compareExchange(held, index, 0, 1) === 0) return new Float64Array(buffer)
      }
      if (buffers.length === MAX_SHARED_ARRAYS) return new Float64Array(length)
      const buffer = new SharedArrayBuffer(Math.max(length, MIN_LENGTH) * Float64Array.BYTES_PER_ELEMENT)
      Atomics.store(held, buffers.length, 1)
      buffers.push(buffer)
      return new Float64Array(buffer)
    },
    put(numbers) {
      const index = indexOf(numbers)
      if (index >= 0) Atomics.store(held, index, 0)
    },
  }
}

/** The worker's side: `batch` with its numbers copied out of shared array `index` (see SharedNumberArrays), which is free again. */
export function copyOutOfShared(batch: SpanBatch, held: Int32Array, index: number): SpanBatch {
  const numbers = batch.numbers.slice()
  Atomics.store(held, index, 0)
  return { count: batch.count, numbers, text: batch.text }
}
