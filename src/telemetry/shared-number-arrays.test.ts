import { once } from 'node:events'
import { MessageChannel } from 'node:worker_threads'
import { SpanKind } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { copyOutOfShared, createSharedNumberArrays, MAX_SHARED_ARRAYS } from './shared-number-arrays.ts'
import { readSpanBatch, type SpanBatch, SpanHead, SpanTemplate, SpanWriter } from './span-wire.ts'

/** Writes `count` emit spans named after `topic` and takes them as a batch. */
function batchOf(writer: SpanWriter, topic: string, count: number): SpanBatch {
  for (let span = 0; span < count; span++) {
    const head = Object.assign(new SpanHead(), { name: `send ${topic}`, kind: SpanKind.PRODUCER, trace: '4bf92f3577b34da6a3ce929d0e0e4736', high: span + 1, low: 7, template: SpanTemplate.emit })
    writer.begin(head)
    for (const value of [topic, 't-1', 'FanOut']) writer.value(value)
    writer.end(null, null, 0)
  }
  return writer.take() as SpanBatch
}

const namesOf = (batch: SpanBatch): string[] => readSpanBatch(batch).map((span) => `${span.name} ${span.spanId.slice(0, 8)}`)

describe('shared number arrays', () => {
  it('hand a batch to another thread without a copy, and take the array back once that side copied it out', async () => {
    const arrays = createSharedNumberArrays()
    const writer = new SpanWriter(arrays)
    const first = batchOf(writer, 'a', 3)
    const second = batchOf(writer, 'b', 2)
    expect(arrays.indexOf(first.numbers)).toBeGreaterThanOrEqual(0)
    expect(arrays.indexOf(second.numbers)).not.toBe(arrays.indexOf(first.numbers))

    // The worker's side: a structured clone shares the memory, the copy makes the batch its own.
    const { port1, port2 } = new MessageChannel()
    const received: SpanBatch[] = []
    port2.on('message', (message: { batch: SpanBatch; shared: number }) => received.push(copyOutOfShared(message.batch, arrays.held, message.shared)))
    for (const batch of [first, second]) port1.postMessage({ batch, shared: arrays.indexOf(batch.numbers) })
    while (received.length < 2) await once(port2, 'message')
    port1.close()

    // The third batch is in the array the writer took after the second; then it goes on in one given back,
    // over the numbers of a batch already copied out, and no array is made.
    const third = batchOf(writer, 'c', 4)
    const fourth = batchOf(writer, 'd', 1)
    expect(arrays.indexOf(third.numbers)).toBe(2)
    expect([arrays.indexOf(first.numbers), arrays.indexOf(second.numbers)]).toContain(arrays.indexOf(fourth.numbers))
    expect(received.map(namesOf)).toEqual([
      ['send a 01000000', 'send a 02000000', 'send a 03000000'],
      ['send b 01000000', 'send b 02000000'],
    ])
    expect(namesOf(third)).toEqual(['send c 01000000', 'send c 02000000', 'send c 03000000', 'send c 04000000'])
  })

  it('are bounded: with every one held, the writer gets an array of its own, which the batch transfers', () => {
    const arrays = createSharedNumberArrays()
    const held = Array.from({ length: MAX_SHARED_ARRAYS }, () => arrays.get(1_024))
    expect(held.map((numbers) => arrays.indexOf(numbers))).toEqual(held.map((_, index) => index))
    const own = arrays.get(1_024)
    expect(arrays.indexOf(own)).toBe(-1)
    expect(own.buffer).not.toBeInstanceOf(SharedArrayBuffer)

    arrays.put(held[5] as Float64Array)
    expect(arrays.indexOf(arrays.get(1_024))).toBe(5)
  })

  it('give a longer array than any free one when asked, as a writer outgrowing its array asks', () => {
    const arrays = createSharedNumberArrays()
    const small = arrays.get(10)
    arrays.put(small)
    const large = arrays.get(100_000)
    expect(large.length).toBeGreaterThanOrEqual(100_000)
    expect(arrays.indexOf(large)).toBe(1)
    expect(arrays.indexOf(arrays.get(10))).toBe(0)
  })
})
