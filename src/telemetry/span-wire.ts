import type { AttributeValue, SpanKind } from '@opentelemetry/api'

/** An attribute value as spans carry it here; null leaves the attribute out. */
export type WireValue = string | number | boolean | null

/** An event of a span: its name, epoch time in milliseconds, and attributes as key, value, key, value... */
export interface SpanEventData {
  name: string
  time: number
  attributes: WireValue[]
}

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
]
const keyIndex = new Map(knownKeys.map((key, index) => [key, index]))

/** One ended span as recorded on the main thread. Times are epoch milliseconds (with fractions). */
export interface SpanData {
  name: string
  kind: SpanKind
  traceId: string
  spanId: string
  traceFlags: number
  /** The parent's span id, or '' for a root. */
  parentSpanId: string
  /** Whether the parent came from another process (a job's or a caller's traceparent). */
  parentIsRemote: boolean
  startTime: number
  endTime: number
  template: SpanTemplate
  /** The values of the template's keys, in order. */
  values: WireValue[]
  /** Further attributes as key, value, key, value... (a later key wins, as with setAttribute). */
  attributes: WireValue[]
  events: SpanEventData[] | null
  statusCode: number
  statusMessage: string | undefined
}

/** Spans packed for a postMessage: numbers in a transferable array, all text in one string. */
export interface SpanBatch {
  count: number
  numbers: Float64Array
  text: string
}

/** How an attribute value is sent: its type, or that it is left out. */
const Tag = { string: 0, number: 1, true: 2, false: 3, absent: 4 } as const

/**
 * Packs spans into a batch. Strings are concatenated (their lengths go with the numbers), so the
 * batch clones as one string and one transferred buffer rather than as thousands of objects.
 */
export class SpanWriter {
  count = 0
  private numbers = new Float64Array(8_192)
  private used = 0
  private text: string[] = []

  write(span: SpanData): void {
    this.reserve(16 + span.values.length * 2 + span.attributes.length * 2)
    const numbers = this.numbers
    numbers[this.used++] = span.kind
    numbers[this.used++] = span.traceFlags
    numbers[this.used++] = span.parentSpanId === '' ? 0 : span.parentIsRemote ? 2 : 1
    numbers[this.used++] = span.startTime
    numbers[this.used++] = span.endTime
    numbers[this.used++] = span.template
    numbers[this.used++] = span.statusCode
    numbers[this.used++] = span.statusMessage === undefined ? 0 : 1
    this.string(span.name)
    this.string(span.traceId)
    this.string(span.spanId)
    if (span.parentSpanId !== '') this.string(span.parentSpanId)
    if (span.statusMessage !== undefined) this.string(span.statusMessage)
    for (const value of span.values) this.value(value)
    this.attributes(span.attributes)
    const events = span.events
    this.numbers[this.used++] = events === null ? 0 : events.length
    if (events !== null) {
      for (const event of events) {
        this.reserve(4 + event.attributes.length * 2)
        this.string(event.name)
        this.numbers[this.used++] = event.time
        this.attributes(event.attributes)
      }
    }
    this.count += 1
  }

  /** The spans written since the last take, or null when there are none; the writer starts afresh. */
  take(): SpanBatch | null {
    if (this.count === 0) return null
    // A copy of the used part: a fresh array per batch would be zeroed whole, and weighs on the GC as external memory.
    const batch = { count: this.count, numbers: this.numbers.slice(0, this.used), text: this.text.join('') }
    this.used = 0
    this.text = []
    this.count = 0
    return batch
  }

  private reserve(more: number): void {
    if (this.used + more <= this.numbers.length) return
    const grown = new Float64Array(Math.max(this.numbers.length * 2, this.used + more))
    grown.set(this.numbers.subarray(0, this.used))
    this.numbers = grown
  }

  private string(value: string): void {
    this.reserve(1)
    this.numbers[this.used++] = value.length
    this.text.push(value)
  }

  private value(value: WireValue): void {
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

  private attributes(attributes: WireValue[]): void {
    this.reserve(1)
    this.numbers[this.used++] = attributes.length / 2
    for (let at = 0; at < attributes.length; at += 2) {
      const key = String(attributes[at])
      const known = keyIndex.get(key)
      this.reserve(1)
      this.numbers[this.used++] = known ?? -1
      if (known === undefined) this.string(key)
      this.value(attributes[at + 1] ?? null)
    }
  }
}

/** A span read back from a batch, with its attributes whole (template constants and values included). */
export interface ReadSpan extends Omit<SpanData, 'values' | 'attributes' | 'events' | 'template'> {
  attributes: Record<string, AttributeValue>
  events: Array<{ name: string; time: number; attributes: Record<string, AttributeValue> }>
}

/** Unpacks a batch made by SpanWriter. */
export function readSpanBatch(batch: SpanBatch): ReadSpan[] {
  const { numbers, text } = batch
  let at = 0
  let textAt = 0
  const next = () => numbers[at++] as number
  const string = () => {
    const length = next()
    const value = text.slice(textAt, textAt + length)
    textAt += length
    return value
  }
  const value = (): AttributeValue | undefined => {
    const tag = next()
    if (tag === Tag.string) return string()
    if (tag === Tag.number) return next()
    return tag === Tag.absent ? undefined : tag === Tag.true
  }
  const attributes = (into: Record<string, AttributeValue>) => {
    for (let count = next(); count > 0; count--) {
      const known = next()
      const key = known < 0 ? string() : (knownKeys[known] as string)
      const read = value()
      if (read !== undefined) into[key] = read
    }
    return into
  }
  const spans: ReadSpan[] = []
  for (let index = 0; index < batch.count; index++) {
    const kind = next() as SpanKind
    const traceFlags = next()
    const parent = next()
    const startTime = next()
    const endTime = next()
    const template = spanTemplates[next()] ?? spanTemplates[0]
    const statusCode = next()
    const hasMessage = next() === 1
    const name = string()
    const traceId = string()
    const spanId = string()
    const parentSpanId = parent === 0 ? '' : string()
    const statusMessage = hasMessage ? string() : undefined
    const spanAttributes: Record<string, AttributeValue> = { ...template.constants }
    for (const key of template.keys) {
      const read = value()
      if (read !== undefined) spanAttributes[key] = read
    }
    attributes(spanAttributes)
    const events: ReadSpan['events'] = []
    for (let count = next(); count > 0; count--) {
      const eventName = string()
      const time = next()
      events.push({ name: eventName, time, attributes: attributes({}) })
    }
    spans.push({
      name,
      kind,
      traceId,
      spanId,
      traceFlags,
      parentSpanId,
      parentIsRemote: parent === 2,
      startTime,
      endTime,
      statusCode,
      statusMessage,
      attributes: spanAttributes,
      events,
    })
  }
  return spans
}
