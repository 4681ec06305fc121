import type { AttributeValue } from '@opentelemetry/api'
import type { Resource } from '@opentelemetry/resources'
import { ProtoWriter, toBytes, varintSize } from './proto-writer.ts'
import { hasParentWords, isRemoteParent, ParentMode, SpanHead, type SpanReader, spanTemplates } from './span-wire.ts'
import { hexValue, traceDigitAt, writeSpanIdBytes } from './trace-ids.ts'

/** The instrumentation scope the spans are encoded under. */
export interface EncodedScope {
  name: string
  version?: string
  schemaUrl?: string
}

/** A string's bytes (length included) as last written at one place, reused while the next string there is the same. */
class CachedString {
  text = ''
  /** Made on the second use in a row: a string every span changes (a job id) is never copied. */
  bytes: Uint8Array | null = null
}

/** A key's bytes (KeyValue.key, tag included), and the last string value written under it. */
interface KeyBytes {
  text: string
  bytes: Uint8Array
  value: string
  /** The KeyValue of the key and that value (its length included), made on the value's second use in a row. */
  pair: Uint8Array | null
  /** The key as an array index (JavaScript objects list such keys first), or -1. */
  index: number
}

const HAS_IS_REMOTE = 0x100
const IS_REMOTE = 0x200
/** Strings cached per template by their place in the span: its name, then its events' names. */
const PLACES = 8
/** Keys that are neither a template's nor known to the wire, cached until there are this many. */
const MAX_TEXT_KEYS = 1_024
const MAX_ARRAY_INDEX = 2 ** 32 - 2
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/

/** The bytes of `length` hex digits of `text` from `from`, as the SDK's hexToBinary makes them, in `into` when it has the room. */
function hexBytes(text: string, from: number, length: number, into?: Uint8Array): Uint8Array {
  const bytes = into?.length === length / 2 ? into : new Uint8Array(length / 2)
  for (let digit = 0; digit < length; digit += 2) {
    bytes[digit / 2] = (hexValue(text.charCodeAt(from + digit)) << 4) | hexValue(text.charCodeAt(from + digit + 1))
  }
  return bytes
}

/** The 16 bytes of the trace id of a trace text (see traceDigitAt), into `into` when it has room. */
function traceIdBytes(trace: string, into: Uint8Array): Uint8Array {
  const bytes = into.length === 16 ? into : new Uint8Array(16)
  for (let digit = 0; digit < 32; digit += 2) bytes[digit / 2] = (hexValue(traceDigitAt(trace, digit)) << 4) | hexValue(traceDigitAt(trace, digit + 1))
  return bytes
}

/** The key as an array index, or -1: JavaScript objects list such keys first, in increasing order. */
function toArrayIndex(key: string): number {
  if (!ARRAY_INDEX.test(key)) return -1
  const index = Number(key)
  return index <= MAX_ARRAY_INDEX ? index : -1
}

/** A key's KeyValue.key field, made once per key. */
function toKeyBytes(key: string): KeyBytes {
  return {
    text: key,
    bytes: toBytes((writer) => {
      writer.byte(0x0a)
      writer.string(key)
    }),
    value: '',
    pair: null,
    index: toArrayIndex(key),
  }
}

/** An AttributeValue as AnyValue's fields, as the SDK's writeAnyValue writes it (nothing for what it does not know). */
function writeAnyValue(writer: ProtoWriter, value: unknown): void {
  if (typeof value === 'string') {
    writer.byte(0x0a)
    writer.string(value)
  } else if (typeof value === 'boolean') {
    writer.byte(0x10)
    writer.byte(value ? 1 : 0)
  } else if (typeof value === 'number') {
    writer.anyNumber(value)
  } else if (Array.isArray(value)) {
    writer.byte(0x2a)
    const array = writer.begin()
    for (const item of value) {
      writer.byte(0x0a)
      const at = writer.begin()
      writeAnyValue(writer, item)
      writer.end(at)
    }
    writer.end(array)
  }
}

/** Attributes as repeated KeyValue of field `tag`, in the order of their object, as the SDK's writeAttributes writes them. */
function writeAttributeObject(writer: ProtoWriter, tag: number, attributes: Record<string, AttributeValue | undefined>): void {
  for (const key in attributes) {
    writer.byte(tag)
    const pair = writer.begin()
    writer.byte(0x0a)
    writer.string(key)
    writer.byte(0x12)
    const value = writer.begin()
    writeAnyValue(writer, attributes[key])
    writer.end(value)
    writer.end(pair)
  }
}

/** The bytes of ResourceSpans.resource, tag included, as the SDK's writeResource writes them. */
function toResourceBytes(resource: Resource): Uint8Array {
  return toBytes((writer) => {
    writer.byte(0x0a)
    const at = writer.begin()
    writeAttributeObject(writer, 0x0a, resource.attributes)
    writer.byte(0x10)
    writer.byte(0)
    writer.end(at)
  })
}

/** The bytes of ScopeSpans.scope, tag included, as the SDK's writeInstrumentationScope writes them. */
function toScopeBytes(scope: EncodedScope): Uint8Array {
  return toBytes((writer) => {
    writer.byte(0x0a)
    const at = writer.begin()
    writer.byte(0x0a)
    writer.string(scope.name)
    if (scope.version) {
      writer.byte(0x12)
      writer.string(scope.version)
    }
    writer.end(at)
  })
}

/** The bytes of a string field, or none when the string is empty or missing (as the SDK skips it). */
function toStringField(tag: number, text: string | undefined): Uint8Array {
  return toBytes((writer) => {
    if (!text) return
    writer.byte(tag)
    writer.string(text)
  })
}

/** The attributes of one span or event as they are read, before they are written: a later key replaces an earlier one in place. */
class AttributeList {
  count = 0
  keys: KeyBytes[] = []
  values: Array<string | number | boolean> = []

  clear(): void {
    this.count = 0
  }

  /** Adds `value` under `key`, or replaces the value of an earlier `key`. */
  set(key: KeyBytes, value: string | number | boolean): void {
    for (let at = 0; at < this.count; at++) {
      if ((this.keys[at] as KeyBytes).text === key.text) {
        this.values[at] = value
        return
      }
    }
    this.push(key, value)
  }

  /** Adds `value` under a key that is not in the list yet. */
  push(key: KeyBytes, value: string | number | boolean): void {
    this.keys[this.count] = key
    this.values[this.count++] = value
  }

  /** Moves array-index keys first, in increasing order, as a JavaScript object lists its keys. */
  toPropertyOrder(): void {
    const order = Array.from({ length: this.count }, (_, at) => at)
    const indexOf = (at: number): number => (this.keys[at] as KeyBytes).index
    order.sort((a, b) => {
      const first = indexOf(a)
      const second = indexOf(b)
      if (first >= 0 && second >= 0) return first - second
      return first >= 0 ? -1 : second >= 0 ? 1 : a - b
    })
    const keys = order.map((at) => this.keys[at] as KeyBytes)
    const values = order.map((at) => this.values[at] as string | number | boolean)
    this.keys = keys
    this.values = values
  }
}

/** A template's constant attributes and keys, with the keys' bytes made once. */
interface EncodedTemplate {
  constants: Array<{ key: KeyBytes; value: string | number | boolean }>
  keys: KeyBytes[]
}

/** A template's trace text and the id bytes made from it: the trace id and, for a traceparent, the parent's span id. */
class CachedTrace {
  text = ''
  traceId: Uint8Array = new Uint8Array(0)
  traceparentParent: Uint8Array = new Uint8Array(0)
}

/**
 * Encodes packed spans (span-wire.ts) as the bytes of an OTLP ExportTraceServiceRequest, with no ReadableSpan
 * or hex id made on the way: the same bytes as the SDK's ProtobufTraceSerializer for the spans the export
 * worker would build from them (one resource, one scope, the spans in order). The resource, scope, keys and
 * template constants are encoded once; a string equal to the last one at its place in a span of the same
 * template (a fan-out's topic, step, trace and names) is copied as bytes; span ids come from their two words.
 */
export class OtlpSpanEncoder {
  private readonly writer = new ProtoWriter(64 * 1_024)
  private readonly head = new SpanHead()
  private readonly attributes = new AttributeList()
  private readonly resource: Uint8Array
  private readonly scope: Uint8Array
  private readonly scopeSchemaUrl: Uint8Array
  private readonly resourceSchemaUrl: Uint8Array
  private readonly templates: EncodedTemplate[]
  private readonly keys = new Map<string, KeyBytes>()
  private readonly places: CachedString[] = []
  private readonly traces: CachedTrace[] = []
  /** A span id field's length and bytes. */
  private readonly spanId = new Uint8Array(9)
  private bytesPerSpan = 512

  constructor(resource: Resource, scope: EncodedScope) {
    this.resource = toResourceBytes(resource)
    this.scope = toScopeBytes(scope)
    this.scopeSchemaUrl = toStringField(0x1a, scope.schemaUrl)
    this.resourceSchemaUrl = toStringField(0x1a, resource.schemaUrl)
    this.templates = spanTemplates.map((template) => ({
      constants: Object.entries(template.constants).map(([key, value]) => ({ key: this.keyOf(key), value })),
      keys: template.keys.map((key) => this.keyOf(key)),
    }))
    for (let place = 0; place < spanTemplates.length * PLACES; place++) this.places.push(new CachedString())
    for (let template = 0; template < spanTemplates.length; template++) this.traces.push(new CachedTrace())
    this.spanId[0] = 8
  }

  /** The request of the spans `readers` give, reading each to its end. */
  encode(readers: readonly SpanReader[]): Uint8Array {
    let count = 0
    for (const reader of readers) count += reader.remaining
    if (count === 0) return new Uint8Array(0)
    const writer = this.writer
    // Room before the spans for the heads of ResourceSpans and ScopeSpans, written once the spans' length is known.
    const headRoom = this.resource.length + this.scope.length + 12
    writer.restart(headRoom + count * this.bytesPerSpan, headRoom)
    for (const reader of readers) while (reader.remaining > 0) this.span(reader)
    const spansEnd = writer.pos
    this.bytesPerSpan = Math.ceil(((spansEnd - headRoom) / count) * 1.1)
    writer.raw(this.scopeSchemaUrl)
    const scopeSpans = this.scope.length + (writer.pos - headRoom)
    writer.raw(this.resourceSchemaUrl)
    const resourceSpans = this.resource.length + 1 + varintSize(scopeSpans) + scopeSpans + this.resourceSchemaUrl.length
    const end = writer.pos
    const start = headRoom - this.scope.length - this.resource.length - 2 - varintSize(scopeSpans) - varintSize(resourceSpans)
    writer.pos = start
    writer.byte(0x0a)
    writer.varint(resourceSpans)
    writer.raw(this.resource)
    writer.byte(0x12)
    writer.varint(scopeSpans)
    writer.raw(this.scope)
    return writer.buffer.subarray(start, end)
  }

  private span(reader: SpanReader): void {
    const writer = this.writer
    const head = reader.head(this.head)
    const places = head.template * PLACES
    const trace = this.traceOf(head.template, head.trace)
    writer.byte(0x12)
    const span = writer.begin()
    writer.byte(0x0a)
    writer.byte(trace.traceId.length)
    writer.raw(trace.traceId)
    this.writeSpanId(0x12, head.high, head.low)
    let hasParent = true
    if (hasParentWords(head.parent)) this.writeSpanId(0x22, head.parentHigh, head.parentLow)
    else if (head.parent === ParentMode.traceparent && trace.traceparentParent.length > 0) {
      writer.byte(0x22)
      writer.byte(trace.traceparentParent.length)
      writer.raw(trace.traceparentParent)
    } else if (head.parent === ParentMode.remote && head.parentId !== '') {
      const parentId = hexBytes(head.parentId, 0, head.parentId.length)
      writer.byte(0x22)
      writer.varint(parentId.length)
      writer.raw(parentId)
    } else hasParent = false
    writer.byte(0x2a)
    this.text(this.places[places], head.name)
    writer.byte(0x30)
    writer.varint(head.kind + 1)
    writer.byte(0x39)
    writer.millisAsNanos(head.startTime)
    writer.byte(0x41)
    writer.millisAsNanos(Math.max(head.startTime, head.endTime))

    const attributes = this.attributes
    attributes.clear()
    const template = this.templates[head.template] ?? (this.templates[0] as EncodedTemplate)
    for (const constant of template.constants) attributes.push(constant.key, constant.value)
    for (const key of template.keys) {
      const value = reader.value()
      if (value !== undefined) attributes.push(key, value)
    }
    this.readPairs(reader)
    this.writeAttributes(0x4a)
    writer.byte(0x50)
    writer.byte(0)

    const events = reader.number()
    for (let event = 0; event < events; event++) {
      const name = reader.string()
      const time = reader.number()
      attributes.clear()
      this.readPairs(reader)
      writer.byte(0x5a)
      const at = writer.begin()
      writer.byte(0x09)
      writer.millisAsNanos(time)
      writer.byte(0x12)
      this.text(event + 1 < PLACES ? this.places[places + event + 1] : undefined, name)
      this.writeAttributes(0x1a)
      writer.byte(0x20)
      writer.byte(0)
      writer.end(at)
    }
    writer.byte(0x60)
    writer.byte(0)
    writer.byte(0x70)
    writer.byte(0)

    writer.byte(0x7a)
    const status = writer.begin()
    if (head.statusMessage) {
      writer.byte(0x12)
      writer.string(head.statusMessage)
    }
    writer.byte(0x18)
    writer.varint(head.statusCode)
    writer.end(status)
    const remote = hasParent && isRemoteParent(head.parent)
    writer.byte(0x85)
    writer.byte(0x01)
    writer.fixed32((head.traceFlags & 0xff) | HAS_IS_REMOTE | (remote ? IS_REMOTE : 0))
    writer.end(span)
  }

  /** Reads a list of attribute pairs into `attributes`, an absent value leaving the key's earlier value. */
  private readPairs(reader: SpanReader): void {
    for (let pairs = reader.pairs(); pairs > 0; pairs--) {
      const key = this.keyOf(reader.key())
      const value = reader.value()
      if (value !== undefined) this.attributes.set(key, value)
    }
  }

  private writeAttributes(tag: number): void {
    const writer = this.writer
    const attributes = this.attributes
    let reorder = false
    for (let at = 0; at < attributes.count; at++) reorder ||= (attributes.keys[at] as KeyBytes).index >= 0
    if (reorder) attributes.toPropertyOrder()
    for (let at = 0; at < attributes.count; at++) {
      const key = attributes.keys[at] as KeyBytes
      const value = attributes.values[at] as string | number | boolean
      writer.byte(tag)
      if (value === key.value && key.pair !== null) {
        writer.raw(key.pair)
        continue
      }
      const pair = writer.begin()
      writer.raw(key.bytes)
      writer.byte(0x12)
      const any = writer.begin()
      if (typeof value === 'string') {
        writer.byte(0x0a)
        writer.string(value)
      } else if (typeof value === 'number') writer.anyNumber(value)
      else {
        writer.byte(0x10)
        writer.byte(value ? 1 : 0)
      }
      writer.end(any)
      writer.end(pair)
      if (typeof value !== 'string') continue
      if (value === key.value) key.pair = new Uint8Array(writer.buffer.subarray(pair, writer.pos))
      else {
        key.value = value
        key.pair = null
      }
    }
  }

  /** Writes a string (length and bytes), copying the bytes made for it when `cache` last held the same string. */
  private text(cache: CachedString | undefined, value: string): void {
    const writer = this.writer
    if (cache === undefined) return writer.string(value)
    if (cache.text === value && cache.bytes !== null) return writer.raw(cache.bytes)
    const from = writer.pos
    writer.string(value)
    if (cache.text === value) cache.bytes = new Uint8Array(writer.buffer.subarray(from, writer.pos))
    else {
      cache.text = value
      cache.bytes = null
    }
  }

  private writeSpanId(tag: number, high: number, low: number): void {
    writeSpanIdBytes(high, low, this.spanId, 1)
    this.writer.byte(tag)
    this.writer.raw(this.spanId)
  }

  /** The id bytes of a trace text (see SpanHead.trace), made again only when the template's last span had another. */
  private traceOf(template: number, text: string): CachedTrace {
    const trace = this.traces[template] ?? (this.traces[0] as CachedTrace)
    if (trace.text === text) return trace
    const isTraceparent = text.length === 55
    trace.text = text
    trace.traceId = traceIdBytes(text, trace.traceId)
    trace.traceparentParent = isTraceparent ? hexBytes(text, 36, 16, trace.traceparentParent) : new Uint8Array(0)
    return trace
  }

  private keyOf(key: string): KeyBytes {
    let bytes = this.keys.get(key)
    if (bytes === undefined) {
      if (this.keys.size >= MAX_TEXT_KEYS) this.keys.clear()
      bytes = toKeyBytes(key)
      this.keys.set(key, bytes)
    }
    return bytes
  }
}
