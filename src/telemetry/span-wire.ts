import type { AttributeValue, SpanKind } from '@opentelemetry/api'
import { toSpanIdHex, traceIdOf } from './trace-ids.ts'

/** An attribute value as spans carry it here; null leaves the attribute out. */
export type WireValue = string | number | boolean | null

/**
 * The attribute sets spans start with, by span type: constant attributes, then the keys whose values a
 * span gives in order. A span names its template by number, so neither side builds or sends key strings.
 */
export const spanTemplates = [
  { constants: {}, keys: [] },
  { constants: {}, keys: ['motia.step', 'motia.trace_id', 'http.request.method', 'http.route', 'url.path'] },
  { constants: { 'motia.trigger': 'cron' }, keys: ['motia.step', 'motia.trace_id'] },
  {
    constants: { 'messaging.system': 'motia', 'messaging.operation.type': 'send' },
    keys: ['messaging.destination.name', 'motia.trace_id', 'motia.step'],
  },
  {
    constants: { 'messaging.system': 'motia', 'messaging.operation.type': 'process' },
    keys: ['messaging.destination.name', 'motia.step', 'motia.trace_id', 'motia.job.id', 'motia.job.attempt', 'motia.job.max_attempts'],
  },
] as const satisfies ReadonlyArray<{ constants: Record<string, AttributeValue>; keys: readonly string[] }>

/** The template numbers of `spanTemplates`. */
export const SpanTemplate = { none: 0, request: 1, cron: 2, emit: 3, attempt: 4 } as const
export type SpanTemplate = (typeof SpanTemplate)[keyof typeof SpanTemplate]

/** Keys sent as their index here rather than as text (any other key is sent whole). */
const knownKeys = [
  'motia.job.outcome',
  'motia.job.retry_at',
  'error.type',
  'http.response.status_code',
  'motia.state.group',
  'motia.state.key',
  'motia.stream.name',
  'motia.stream.group',
  'motia.stream.id',
  'exception.type',
  'exception.message',
  'exception.stacktrace',
] as const
const keyIndex = new Map<string, number>(knownKeys.map((key, index) => [key, index]))

/** The index of a known key: what a recorder passes instead of the key's text, so the writer looks nothing up. */
export const KnownKey = Object.fromEntries(knownKeys.map((key, index) => [key, index])) as { readonly [K in (typeof knownKeys)[number]]: number }

/** How a span names its parent on the wire. */
export const ParentMode = {
  /** A root span. */
  none: 0,
  /** A span of this process: its id's two words follow the span's own. */
  local: 1,
  /** The span the W3C traceparent in the span's trace text names (a job's emit, maybe of another process). */
  traceparent: 2,
  /** A caller's span: its id follows as hex text. */
  remote: 3,
  /**
   * The span a job's traceparent names, when the span's trace text has the same trace id (a job of this
   * process, the trace text its traceId's): the parent's id words follow, as for a local parent, read from
   * the traceparent, and it counts as remote, as a context read from a carrier does. A fan-out's attempts so
   * share one trace text and send no traceparent.
   */
  carried: 4,
} as const

/** Whether the parent's id words follow the span's own (a local or carried parent). */
export const hasParentWords = (parent: ParentMode): boolean => parent === ParentMode.local || parent === ParentMode.carried

/** Whether a parent came from another process or a carrier (a job's traceparent, a caller's header). */
export const isRemoteParent = (parent: ParentMode): boolean => parent === ParentMode.traceparent || parent === ParentMode.remote || parent === ParentMode.carried
export type ParentMode = (typeof ParentMode)[keyof typeof ParentMode]

/**
 * What a span starts with on the wire, filled by the recorder for each span it writes. The writer copies
 * it, so one object serves every span. Times are epoch milliseconds (with fractions).
 */
export class SpanHead {
  name = ''
  kind = 0
  traceFlags = 1
  /** The trace id in hex (32 digits) or as a lowercase UUID (36), or a W3C traceparent (55 characters) whose trace id is the span's. */
  trace = ''
  /** The span id: two words of the id pool (see trace-ids.ts). */
  high = 0
  low = 0
  parent: ParentMode = ParentMode.none
  /** The parent's id words, for a local or carried parent. */
  parentHigh = 0
  parentLow = 0
  /** The parent's id in hex, for a remote parent. */
  parentId = ''
  startTime = 0
  endTime = 0
  template: SpanTemplate = SpanTemplate.none
  statusCode = 0
  statusMessage: string | undefined = undefined
}

/**
 * Events of a span, flat: per event its name, epoch time in milliseconds and number of attributes,
 * then the attributes as key, value, key, value... A key is its text, or the index of a known key (KnownKey).
 */
export type FlatEvents = WireValue[]

/** Spans packed for a postMessage: numbers in one array (shared or transferable, see NumberArrays), all text in one string. */
export interface SpanBatch {
  count: number
  numbers: Float64Array
  text: string
}

/**
 * Where a SpanWriter gets the arrays it packs numbers into. A batch takes the writer's array with it (no
 * copy), and the writer goes on in a new one: a fresh array of a few hundred kilobytes per batch cost more
 * than all the packing (the kernel maps and zeroes its pages, which no instruction count shows), so the
 * export worker's arrays are shared ones it hands back (see start-telemetry-worker.ts).
 */
export interface NumberArrays {
  /** An array of at least `length` numbers, the writer's until a batch takes it or it is given back. */
  get(length: number): Float64Array
  /** Takes back an array the writer outgrew, its numbers copied into a larger one. */
  put(array: Float64Array): void
}

/** Arrays for a writer whose batches stay on its thread (tests, tools): a new one each time. */
export const freshNumberArrays: NumberArrays = { get: (length) => new Float64Array(length), put: () => {} }

/** How an attribute value is sent: its type, or that it is left out. */
const Tag = { string: 0, number: 1, true: 2, false: 3, absent: 4 } as const

/** Strings a span may send as "the same as the last span of its template sent here" (see SpanWriter). */
const CACHED_STRINGS = 16
/** The length that stands for the cached string (see SpanWriter). */
const SAME_STRING = -1

/**
 * Packs spans into a batch, with no object per span: the recorder calls `begin`, then `value` once per key
 * of the span's template, then `end`. Strings are concatenated (their lengths go with the numbers), so the
 * batch clones as one string and one transferred buffer rather than as thousands of objects. The text grows
 * by `+=`, a rope that postMessage flattens in one copy: a join costs ten times as much per string. A string
 * equal to the one the previous span of the same template sent at the same place (its name, topic, step, trace)
 * is sent as a mark instead: a fan-out's spans differ in a job id or two.
 */
export class SpanWriter {
  count = 0
  private numbers: Float64Array
  private used = 0
  private text = ''
  /** The last string sent at each place of each template's spans, in this batch. */
  private sent: string[] = []
  /** Where the current span's next string goes in `sent`, and where its places end. */
  private place = 0
  private placesEnd = 0

  constructor(private readonly arrays: NumberArrays = freshNumberArrays) {
    this.numbers = arrays.get(8_192)
  }

  begin(head: SpanHead): void {
    this.reserve(14)
    const numbers = this.numbers
    let used = this.used
    numbers[used++] = head.kind
    numbers[used++] = head.traceFlags
    numbers[used++] = head.parent
    numbers[used++] = head.startTime
    numbers[used++] = head.endTime
    numbers[used++] = head.template
    numbers[used++] = head.statusCode
    numbers[used++] = head.statusMessage === undefined ? 0 : 1
    numbers[used++] = head.high
    numbers[used++] = head.low
    if (hasParentWords(head.parent)) {
      numbers[used++] = head.parentHigh
      numbers[used++] = head.parentLow
    }
    this.used = used
    this.place = head.template * CACHED_STRINGS
    this.placesEnd = this.place + CACHED_STRINGS
    this.string(head.name)
    this.string(head.trace)
    if (head.parent === ParentMode.remote) this.string(head.parentId)
    if (head.statusMessage !== undefined) this.string(head.statusMessage)
  }

  /** The value of the template's next key. */
  value(value: WireValue): void {
    this.reserve(2)
    if (typeof value === 'string') {
      this.numbers[this.used++] = Tag.string
      this.string(value)
    } else if (typeof value === 'number') {
      this.numbers[this.used++] = Tag.number
      this.numbers[this.used++] = value
    } else {
      this.numbers[this.used++] = value === null ? Tag.absent : value ? Tag.true : Tag.false
    }
  }

  /**
   * Ends the span with its further attributes (key, value, key, value..., keys as in FlatEvents; a later key
   * wins) and the first `eventsLength` items of its events.
   */
  end(attributes: readonly WireValue[] | null, events: FlatEvents | null, eventsLength: number): void {
    this.attributes(attributes, 0, attributes === null ? 0 : attributes.length / 2)
    this.reserve(1)
    const countAt = this.used++
    let count = 0
    if (events !== null) {
      for (let at = 0; at < eventsLength; count++) {
        const pairs = events[at + 2] as number
        this.string(events[at] as string)
        this.reserve(1)
        this.numbers[this.used++] = events[at + 1] as number
        this.attributes(events, at + 3, pairs)
        at += 3 + pairs * 2
      }
    }
    this.numbers[countAt] = count
    this.count += 1
  }

  /**
   * The spans written since the last take, or null when there are none; the writer starts afresh, in a new
   * array of the same size. The batch's numbers are a view of the array it was written in.
   */
  take(): SpanBatch | null {
    if (this.count === 0) return null
    const batch = { count: this.count, numbers: this.numbers.subarray(0, this.used), text: this.text }
    this.numbers = this.arrays.get(this.numbers.length)
    this.used = 0
    this.text = ''
    this.sent = []
    this.count = 0
    return batch
  }

  private reserve(more: number): void {
    if (this.used + more <= this.numbers.length) return
    const grown = this.arrays.get(Math.max(this.numbers.length * 2, this.used + more))
    grown.set(this.numbers.subarray(0, this.used))
    this.arrays.put(this.numbers)
    this.numbers = grown
  }

  private string(value: string): void {
    this.reserve(1)
    if (this.place < this.placesEnd) {
      const place = this.place++
      if (this.sent[place] === value) {
        this.numbers[this.used++] = SAME_STRING
        return
      }
      this.sent[place] = value
    }
    this.numbers[this.used++] = value.length
    this.text += value
  }

  /** `pairs` attributes of `list` from `from`, as key, value, key, value... */
  private attributes(list: readonly WireValue[] | null, from: number, pairs: number): void {
    this.reserve(1)
    this.numbers[this.used++] = pairs
    if (list === null) return
    for (let at = from; at < from + pairs * 2; at += 2) {
      const key = list[at]
      const known = typeof key === 'number' ? key : keyIndex.get(String(key))
      this.reserve(1)
      this.numbers[this.used++] = known ?? -1
      if (known === undefined) this.string(String(key))
      this.value(list[at + 1] ?? null)
    }
  }
}

/** One span read back from a batch, with its attributes whole (template constants and values included). */
export interface ReadSpan {
  name: string
  kind: SpanKind
  traceId: string
  spanId: string
  traceFlags: number
  /** The parent's span id, or '' for a root. */
  parentSpanId: string
  /** Whether the parent came from another process (a job's or a caller's traceparent). */
  parentIsRemote: boolean
  /** Epoch milliseconds (with fractions). */
  startTime: number
  endTime: number
  statusCode: number
  statusMessage: string | undefined
  attributes: Record<string, AttributeValue>
  events: Array<{ name: string; time: number; attributes: Record<string, AttributeValue> }>
}

/**
 * Reads the spans of a batch made by SpanWriter one at a time, so a reader can stop and go on later: whole
 * (`next`), or field by field as the writer wrote them (`head`, `value`, `pairs`, `key`; the OTLP encoder
 * reads so, to build no object per span).
 */
export class SpanReader {
  /** Spans not read yet. */
  remaining: number
  private at = 0
  private textAt = 0
  /** As SpanWriter.sent: the last string read at each place of each template's spans. */
  private readonly read: string[] = []
  private place = 0
  private placesEnd = 0
  /** The head `next` reads into, one for every span. */
  private readonly scratchHead = new SpanHead()

  constructor(private readonly batch: SpanBatch) {
    this.remaining = batch.count
  }

  /**
   * A reader of the next `count` spans, which this one then skips: what an export takes of a batch it does
   * not take whole. A string the taken spans repeat from earlier spans is still read right by both.
   */
  split(count: number): SpanReader {
    const front = new SpanReader(this.batch)
    front.at = this.at
    front.textAt = this.textAt
    front.read.push(...this.read)
    front.remaining = count
    for (let skipped = 0; skipped < count; skipped++) this.next()
    return front
  }

  next(): ReadSpan {
    const head = this.head(this.scratchHead)
    const traceId = traceIdOf(head.trace)
    const parentSpanId = hasParentWords(head.parent)
      ? toSpanIdHex(head.parentHigh, head.parentLow)
        : head.parent === ParentMode.traceparent
          ? head.trace.slice(36, 52)
          : head.parentId
    const template = spanTemplates[head.template] ?? spanTemplates[0]
    // Object.assign, not a spread: V8 clones these constant objects by a slow path, ten times the cost of the whole read.
    const attributes: Record<string, AttributeValue> = Object.assign({}, template.constants)
    for (const key of template.keys) {
      const read = this.value()
      if (read !== undefined) attributes[key] = read
    }
    this.attributes(attributes)
    const events: ReadSpan['events'] = []
    for (let count = this.number(); count > 0; count--) {
      const eventName = this.string()
      const time = this.number()
      events.push({ name: eventName, time, attributes: this.attributes({}) })
    }
    return {
      name: head.name,
      kind: head.kind as SpanKind,
      traceId,
      spanId: toSpanIdHex(head.high, head.low),
      traceFlags: head.traceFlags,
      parentSpanId,
      parentIsRemote: isRemoteParent(head.parent),
      startTime: head.startTime,
      endTime: head.endTime,
      statusCode: head.statusCode,
      statusMessage: head.statusMessage,
      attributes,
      events,
    }
  }

  /**
   * Reads the next span's head into `into` (as SpanWriter.begin took it; `parentId` is '' unless the parent
   * is remote). Then come a value per key of its template, its attribute pairs, and its events: their
   * number, then per event its name (`string`), time (`number`) and attribute pairs.
   */
  head(into: SpanHead): SpanHead {
    this.remaining -= 1
    into.kind = this.number()
    into.traceFlags = this.number()
    into.parent = this.number() as ParentMode
    into.startTime = this.number()
    into.endTime = this.number()
    into.template = this.number() as SpanTemplate
    into.statusCode = this.number()
    const hasMessage = this.number() === 1
    into.high = this.number()
    into.low = this.number()
    if (hasParentWords(into.parent)) {
      into.parentHigh = this.number()
      into.parentLow = this.number()
    }
    this.place = into.template * CACHED_STRINGS
    this.placesEnd = this.place + CACHED_STRINGS
    into.name = this.string()
    into.trace = this.string()
    into.parentId = into.parent === ParentMode.remote ? this.string() : ''
    into.statusMessage = hasMessage ? this.string() : undefined
    return into
  }

  number(): number {
    return this.batch.numbers[this.at++] as number
  }

  string(): string {
    const length = this.number()
    const place = this.place < this.placesEnd ? this.place++ : -1
    if (length === SAME_STRING) return this.read[place] as string
    const value = this.batch.text.slice(this.textAt, this.textAt + length)
    this.textAt += length
    if (place >= 0) this.read[place] = value
    return value
  }

  /** The next value of the span: undefined where it was absent. */
  value(): string | number | boolean | undefined {
    const tag = this.number()
    if (tag === Tag.string) return this.string()
    if (tag === Tag.number) return this.number()
    return tag === Tag.absent ? undefined : tag === Tag.true
  }

  /** The key of the next attribute pair. */
  key(): string {
    const known = this.number()
    return known < 0 ? this.string() : (knownKeys[known] as string)
  }

  /** How many attribute pairs come next (each a `key`, then a `value`). */
  pairs(): number {
    return this.number()
  }

  private attributes(into: Record<string, AttributeValue>): Record<string, AttributeValue> {
    for (let count = this.pairs(); count > 0; count--) {
      const key = this.key()
      const read = this.value()
      if (read !== undefined) into[key] = read
    }
    return into
  }
}

/** Unpacks a whole batch made by SpanWriter. */
export function readSpanBatch(batch: SpanBatch): ReadSpan[] {
  const reader = new SpanReader(batch)
  const spans: ReadSpan[] = []
  while (reader.remaining > 0) spans.push(reader.next())
  return spans
}
