import { performance } from 'node:perf_hooks'
import { type SpanKind, type SpanStatus, SpanStatusCode, TraceFlags } from '@opentelemetry/api'
import type { ParentRef, SpanSampler } from './span-sampler.ts'
import { type FlatEvents, freshNumberArrays, type NumberArrays, ParentMode, type SpanBatch, SpanHead, type SpanTemplate, SpanWriter, type WireValue } from './span-wire.ts'
import { flatTraceId, hexValue, readSpanIdWords, type TraceIds, toSpanIdHex, toTraceparent, traceIdOf } from './trace-ids.ts'

/**
 * Spans sent at once at most; fewer go when the first of them has waited FLUSH_MS. A batch's copy and message
 * cost about the same at 256 spans as at 1,024, so larger batches cost a third as much per span.
 */
const BATCH_SPANS = 1_024
/**
 * A fan-out ends a span or two per turn of the event loop, so a batch per turn would be a message per job,
 * and a server answering thousands of requests a second would send a message every few requests (each costs
 * tens of microseconds here); spans wait seconds in the export queue anyway (OTEL_BSP_SCHEDULE_DELAY), so
 * these milliseconds cost nothing.
 */
const FLUSH_MS = 50
/** Where no span is: the parent of a root. */
export const NO_SPAN = -1

/**
 * Read once: `performance.timeOrigin` is a getter that costs as much as the clock. The module's `performance`,
 * not the global one, which Node defines as a lazy getter that runs on every read.
 */
const timeOrigin = performance.timeOrigin
const now = (): number => timeOrigin + performance.now()

/** The numbers of an open span, at `slot * FIELDS` in one array. */
const Field = { start: 0, high: 1, low: 2, flags: 3, parent: 4, parentHigh: 5, parentLow: 6 } as const
const FIELDS = 7

/** The trace flags of a traceparent (its last two hex digits). */
function flagsOf(traceparent: string): number {
  return hexValue(traceparent.charCodeAt(53)) * 16 + hexValue(traceparent.charCodeAt(54))
}

/**
 * Starts spans, keeps the open ones, and packs each ended, sampled one for the export worker. An open
 * span is a slot number: its numbers live in one Float64Array and its text in arrays by slot, so no
 * object is made per span. Events wait in the slot until the span ends. Template values and attributes
 * are read during the call only, so a caller may pass the same array each time.
 */
export interface SpanRecorder {
  /** Opens a root span of `traceId` (a trace text: hex or a lowercase UUID, see traceDigitAt; a random one when null); returns its slot. */
  openRoot(traceId: string | null, name: string, kind: SpanKind): number
  /** Opens a child of the open span in slot `parent`. */
  openChild(parent: number, name: string, kind: SpanKind): number
  /**
   * Opens a child of the span a version 00 traceparent of 55 characters names (as a job's, written by
   * `instant`). `trace` is a trace text the caller expects to have the same trace id (the job's traceId's),
   * or null: when it has, the span keeps it and the parent's id as words (ParentMode.carried), so the
   * attempts of a fan-out pack one trace text rather than a traceparent each.
   */
  openUnderTraceparent(traceparent: string, trace: string | null, name: string, kind: SpanKind): number
  /** Opens a child of a caller's span. */
  openRemote(parent: ParentRef, name: string, kind: SpanKind): number
  /** Adds an event now to an open, sampled span, with two or three attributes (keys as in FlatEvents). */
  addEvent(slot: number, name: string, key1: WireValue, value1: WireValue, key2: WireValue, value2: WireValue, key3?: WireValue, value3?: WireValue): void
  /**
   * Ends the open span in `slot` now, and writes it when sampled: its template values in order, further
   * attributes (key, value...; a later key wins) and status. The slot is free again.
   */
  close(
    slot: number,
    name: string,
    kind: SpanKind,
    template: SpanTemplate,
    values: readonly WireValue[],
    attributes: readonly WireValue[] | null,
    status: SpanStatus | null,
  ): void
  /**
   * Records a span that starts and ends now, a child of the open span in `parent` (NO_SPAN for a root of
   * `rootTraceId`, random when null). Returns its traceparent, which its children carry.
   */
  instant(parent: number, rootTraceId: string | null, name: string, kind: SpanKind, template: SpanTemplate, values: readonly WireValue[]): string
  /** Sends what is written now rather than at the end of the turn. */
  flush(): void
}

/**
 * Records spans into a SpanWriter (see span-wire.ts), whose number arrays come from `arrays`; `send` gets a
 * batch every 1,024 spans, or 50 ms after the first span of a smaller one. The cost of a span on this thread
 * is a span id read from the pool, two clock reads and the packing; the SDK's spans, their processor and the
 * OTLP encoding live in the worker.
 */
export function createSpanRecorder(
  ids: TraceIds,
  sampler: SpanSampler,
  send: (batch: SpanBatch) => void,
  arrays: NumberArrays = freshNumberArrays,
): SpanRecorder {
  const writer = new SpanWriter(arrays)
  const head = new SpanHead()
  const { byParentFlags, rootSampled } = sampler
  let numbers = new Float64Array(64 * FIELDS)
  /** Per slot: the trace text (see SpanHead.trace), a caller's span id, the events and how many of their items are this span's. */
  const traces: string[] = []
  const callerIds: string[] = []
  const events: FlatEvents[] = []
  const eventsLengths: number[] = []
  const free: number[] = []
  let slots = 0
  let scheduled: NodeJS.Timeout | undefined

  const flush = (): void => {
    if (scheduled) clearTimeout(scheduled)
    scheduled = undefined
    const batch = writer.take()
    if (batch) send(batch)
  }

  const wrote = (): void => {
    if (writer.count >= BATCH_SPANS) flush()
    else scheduled ??= setTimeout(flush, FLUSH_MS).unref()
  }

  const takeSlot = (): number => {
    const reused = free.pop()
    if (reused !== undefined) return reused
    if ((slots + 1) * FIELDS > numbers.length) {
      const grown = new Float64Array(numbers.length * 2)
      grown.set(numbers)
      numbers = grown
    }
    traces.push('')
    callerIds.push('')
    // Kept when the span ends and reused by the next span of the slot: no array per span.
    events.push([])
    eventsLengths.push(0)
    return slots++
  }

  /** The SDK sampler's decision, for a sampler that needs the parent's whole context. */
  const sampleWithContext = (trace: string, parent: ParentRef | null, name: string, kind: SpanKind): number =>
    sampler.sample(traceIdOf(trace), parent, name, kind, undefined) ? TraceFlags.SAMPLED : TraceFlags.NONE

  /**
   * The last trace text an attempt was opened under a traceparent with, and its trace id as one flat
   * string, which `indexOf` finds at the traceparent's third character in a few dozen instructions (a
   * `startsWith` of the traceparent's start took a thousand): a fan-out's attempts share one trace text.
   */
  let carriedTrace = ''
  let carriedId = ''
  const isCarriedTrace = (trace: string, traceparent: string): boolean => {
    if (trace !== carriedTrace) {
      carriedTrace = trace
      carriedId = flatTraceId(trace)
    }
    return traceparent.indexOf(carriedId, 3) === 3
  }

  /** A new slot with a fresh span id, started now (an unsampled span, never written, reads no clock). */
  const open = (trace: string, flags: number, parent: ParentMode): number => {
    const slot = takeSlot()
    const drawn = ids.drawSpanId()
    const at = slot * FIELDS
    numbers[at + Field.start] = flags === TraceFlags.SAMPLED ? now() : 0
    numbers[at + Field.high] = ids.words[drawn] as number
    numbers[at + Field.low] = ids.words[drawn + 1] as number
    numbers[at + Field.flags] = flags
    numbers[at + Field.parent] = parent
    traces[slot] = trace
    return slot
  }

  const localParent = (parent: number): ParentRef => {
    const at = parent * FIELDS
    return {
      traceId: traceIdOf(traces[parent] as string),
      spanId: toSpanIdHex(numbers[at + Field.high] as number, numbers[at + Field.low] as number),
      traceFlags: numbers[at + Field.flags] as number,
      isRemote: false,
    }
  }

  const openRoot = (traceId: string | null, name: string, kind: SpanKind): number => {
    const trace = traceId ?? ids.traceId()
    const flags = rootSampled !== null ? (rootSampled ? TraceFlags.SAMPLED : TraceFlags.NONE) : sampleWithContext(trace, null, name, kind)
    return open(trace, flags, ParentMode.none)
  }

  const openChild = (parent: number, name: string, kind: SpanKind): number => {
    const parentFlags = numbers[parent * FIELDS + Field.flags] as number
    const trace = traces[parent] as string
    const flags = byParentFlags
      ? byParentFlags(parentFlags)
        ? TraceFlags.SAMPLED
        : TraceFlags.NONE
      : sampleWithContext(trace, localParent(parent), name, kind)
    const slot = open(trace, flags, ParentMode.local)
    const at = slot * FIELDS
    numbers[at + Field.parentHigh] = numbers[parent * FIELDS + Field.high] as number
    numbers[at + Field.parentLow] = numbers[parent * FIELDS + Field.low] as number
    return slot
  }

  /** Writes the span in `slot`, ended at `endTime`, and frees the slot. */
  const write = (
    slot: number,
    endTime: number,
    name: string,
    kind: SpanKind,
    template: SpanTemplate,
    values: readonly WireValue[],
    attributes: readonly WireValue[] | null,
    status: SpanStatus | null,
  ): void => {
    const at = slot * FIELDS
    const flags = numbers[at + Field.flags] as number
    if (flags === TraceFlags.SAMPLED) {
      head.name = name
      head.kind = kind
      head.traceFlags = flags
      head.trace = traces[slot] as string
      head.high = numbers[at + Field.high] as number
      head.low = numbers[at + Field.low] as number
      head.parent = numbers[at + Field.parent] as ParentMode
      head.parentHigh = numbers[at + Field.parentHigh] as number
      head.parentLow = numbers[at + Field.parentLow] as number
      head.parentId = callerIds[slot] as string
      head.startTime = numbers[at + Field.start] as number
      head.endTime = endTime
      head.template = template
      head.statusCode = status ? status.code : SpanStatusCode.UNSET
      head.statusMessage = status ? status.message : undefined
      writer.begin(head)
      for (const value of values) writer.value(value)
      writer.end(attributes, events[slot] as FlatEvents, eventsLengths[slot] as number)
      wrote()
    }
    traces[slot] = ''
    callerIds[slot] = ''
    eventsLengths[slot] = 0
    free.push(slot)
  }

  return {
    openRoot,
    openChild,

    openUnderTraceparent(traceparent, trace, name, kind) {
      const parentFlags = flagsOf(traceparent)
      const flags = byParentFlags
        ? byParentFlags(parentFlags)
          ? TraceFlags.SAMPLED
          : TraceFlags.NONE
        : sampleWithContext(traceparent, { traceId: traceparent.slice(3, 35), spanId: traceparent.slice(36, 52), traceFlags: parentFlags, isRemote: true }, name, kind)
      // An unsampled span is never written, so its parent's id is not read.
      if (trace === null || flags !== TraceFlags.SAMPLED || !isCarriedTrace(trace, traceparent)) return open(traceparent, flags, ParentMode.traceparent)
      const slot = open(trace, flags, ParentMode.carried)
      readSpanIdWords(traceparent, 36, numbers, slot * FIELDS + Field.parentHigh)
      return slot
    },

    openRemote(parent, name, kind) {
      const flags = byParentFlags ? (byParentFlags(parent.traceFlags) ? TraceFlags.SAMPLED : TraceFlags.NONE) : sampleWithContext(parent.traceId, parent, name, kind)
      const slot = open(parent.traceId, flags, ParentMode.remote)
      callerIds[slot] = parent.spanId
      return slot
    },

    addEvent(slot, name, key1, value1, key2, value2, key3, value3) {
      if ((numbers[slot * FIELDS + Field.flags] as number) !== TraceFlags.SAMPLED) return
      const list = events[slot] as FlatEvents
      let at = eventsLengths[slot] as number
      list[at++] = name
      list[at++] = now()
      list[at++] = key3 === undefined ? 2 : 3
      list[at++] = key1
      list[at++] = value1
      list[at++] = key2
      list[at++] = value2
      if (key3 !== undefined) {
        list[at++] = key3
        list[at++] = value3 ?? null
      }
      eventsLengths[slot] = at
    },

    close(slot, name, kind, template, values, attributes, status) {
      const sampled = (numbers[slot * FIELDS + Field.flags] as number) === TraceFlags.SAMPLED
      write(slot, sampled ? now() : 0, name, kind, template, values, attributes, status)
    },

    instant(parent, rootTraceId, name, kind, template, values) {
      const slot = parent === NO_SPAN ? openRoot(rootTraceId, name, kind) : openChild(parent, name, kind)
      const at = slot * FIELDS
      const trace = traces[slot] as string
      const sampled = (numbers[at + Field.flags] as number) === TraceFlags.SAMPLED
      const traceparent = toTraceparent(trace, numbers[at + Field.high] as number, numbers[at + Field.low] as number, sampled)
      write(slot, numbers[at + Field.start] as number, name, kind, template, values, null, null)
      return traceparent
    },

    flush,
  }
}
