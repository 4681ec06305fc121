import { randomFillSync } from 'node:crypto'
import type { ParentRef } from './span-sampler.ts'

const HEX_TRACE_ID = /^[0-9a-f]{32}$/
const ZERO_TRACE_ID = '0'.repeat(32)

/** Whether the character at `at` is a lowercase hex digit. */
export function isLowerHexAt(text: string, at: number): boolean {
  const code = text.charCodeAt(at)
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 102)
}

/** Whether `text` is a lowercase UUID (`randomUUID()`, the trace ids we make): hex digits with dashes at 8, 13, 18 and 23. */
function isLowercaseUuid(text: string): boolean {
  if (text.length !== 36) return false
  for (let at = 0; at < 36; at++) {
    if (at === 8 || at === 13 || at === 18 || at === 23) {
      if (text.charCodeAt(at) !== 45) return false
    } else if (!isLowerHexAt(text, at)) return false
  }
  return true
}

/** The OpenTelemetry trace id our `traceId` stands for: its 32 hex digits (a UUID without dashes), or null when it has none. */
export function toOtelTraceId(traceId: string): string | null {
  const hex = traceId.replaceAll('-', '').toLowerCase()
  return HEX_TRACE_ID.test(hex) && hex !== ZERO_TRACE_ID ? hex : null
}

/**
 * The trace text (see SpanHead.trace) of a root span for our `traceId`: a lowercase UUID as it is, its 32
 * digits read where they are needed (by `traceDigitAt`, and in the export worker), since making the string
 * without dashes cost a traced request about as much as all its other span work; otherwise its trace id as
 * toOtelTraceId makes it, or null.
 */
export function toTraceText(traceId: string): string | null {
  // A version 4 UUID is never all zeros, which a trace id must not be.
  return isLowercaseUuid(traceId) && traceId !== ZERO_UUID ? traceId : toOtelTraceId(traceId)
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const TRACEPARENT_LENGTH = 55
const UUID_LENGTH = 36

/**
 * The character code of hex digit `digit` (0 to 31) of the trace id in a trace text: 32 hex digits, a
 * lowercase UUID (the same digits with four dashes) or a version 00 traceparent (the trace id from 3).
 */
export function traceDigitAt(trace: string, digit: number): number {
  if (trace.length === TRACEPARENT_LENGTH) return trace.charCodeAt(3 + digit)
  if (trace.length === UUID_LENGTH) return trace.charCodeAt(digit + (digit >= 8 ? 1 : 0) + (digit >= 12 ? 1 : 0) + (digit >= 16 ? 1 : 0) + (digit >= 20 ? 1 : 0))
  return trace.charCodeAt(digit)
}

/** The trace id (32 hex digits) of a trace text (see traceDigitAt). */
export function traceIdOf(trace: string): string {
  if (trace.length === TRACEPARENT_LENGTH) return trace.slice(3, 35)
  if (trace.length === UUID_LENGTH) return trace.slice(0, 8) + trace.slice(9, 13) + trace.slice(14, 18) + trace.slice(19, 23) + trace.slice(24)
  return trace
}

/**
 * A W3C traceparent header: version (any but ff), trace id (not all zeros), parent span id (not all zeros)
 * and flags in lowercase hex; a version 00 header has nothing after the flags, a later version may (what
 * it adds is ignored). One space around it is allowed, as the SDK's propagator allows it.
 */
const TRACEPARENT = /^\s?((?!ff)[\da-f]{2})-((?![0]{32})[\da-f]{32})-((?![0]{16})[\da-f]{16})-([\da-f]{2})(-.*)?\s?$/

/** The caller's span a traceparent header names, as the SDK's W3C propagator reads it; null when absent or malformed. */
export function parseTraceparent(header: string | undefined): ParentRef | null {
  if (!header) return null
  const match = TRACEPARENT.exec(header)
  if (!match || (match[1] === '00' && match[5] !== undefined)) return null
  return { traceId: match[2] as string, spanId: match[3] as string, traceFlags: Number.parseInt(match[4] as string, 16), isRemote: true }
}

/**
 * Random ids read from a pool of random bytes. A span id is two 32-bit words of the pool, which the
 * recorder packs as numbers: most span ids never become text on this thread, only those that go into
 * a traceparent; the worker turns the words into hex (`toSpanIdHex`).
 */
export interface TraceIds {
  /** A random trace id in hex (32 digits, never all zeros). */
  traceId(): string
  /** Draws a span id (never all zeros); its words are then `words[at]` and `words[at + 1]`. */
  drawSpanId(): number
  /** The pool's 32-bit words, valid for the id just drawn until the next draw. */
  readonly words: Uint32Array
}

/**
 * Creates ids read from a pool of random bytes refilled 64 KiB at a time (one `randomFillSync` for 8,192
 * span ids, where the SDK's generator makes each id digit by digit). A call costs about 6 µs for 4 KiB and
 * 13 µs for 64 KiB here, so the larger pool makes an id's share of it 1.6 ns rather than 11.
 */
export function createTraceIds(poolBytes = 65_536): TraceIds {
  const words = new Uint32Array(poolBytes / 4)
  const pool = Buffer.from(words.buffer)
  let at = words.length
  /** The first of `count` fresh words that are not all zeros. */
  const draw = (count: number): number => {
    for (;;) {
      if (at + count > words.length) {
        randomFillSync(pool)
        at = 0
      }
      const drawn = at
      at += count
      for (let word = drawn; word < at; word++) if ((words[word] as number) !== 0) return drawn
    }
  }
  return {
    words,
    drawSpanId: () => draw(2),
    traceId() {
      const drawn = draw(4)
      return pool.toString('hex', drawn * 4, drawn * 4 + 16)
    },
  }
}

const scratchWords = new Uint32Array(2)
const scratch = Buffer.from(scratchWords.buffer)

/** The hex of a span id given as its two pool words: the pool's bytes in their order, as the SDK's ids are written. */
export function toSpanIdHex(high: number, low: number): string {
  scratchWords[0] = high
  scratchWords[1] = low
  return scratch.toString('hex')
}

/** The value of one hex digit's character code (lowercase or uppercase), as the SDK's hexToBinary reads it. */
export function hexValue(code: number): number {
  return code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code - 55
}

/** Writes the 8 bytes of a span id given as its two pool words at `at` of `into`: the bytes `toSpanIdHex` writes as hex. */
export function writeSpanIdBytes(high: number, low: number, into: Uint8Array, at: number): void {
  scratchWords[0] = high
  scratchWords[1] = low
  for (let byte = 0; byte < 8; byte++) into[at + byte] = scratch[byte] as number
}

/** `hexValue` of the character codes below 128, read from a table. */
const HEX_VALUES = Int8Array.from({ length: 128 }, (_, code) => hexValue(code))
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** The byte two hex digits at `at` of `text` stand for, as hexValue reads each. */
function hexByteAt(text: string, at: number): number {
  const high = text.charCodeAt(at)
  const low = text.charCodeAt(at + 1)
  return (((high < 128 ? HEX_VALUES[high] : hexValue(high)) as number) << 4) + ((low < 128 ? HEX_VALUES[low] : hexValue(low)) as number)
}

/** The pool word (see TraceIds.words) whose four bytes in memory are the ones the 8 hex digits at `at` stand for. */
function hexWordAt(text: string, at: number): number {
  const b0 = hexByteAt(text, at) & 255
  const b1 = hexByteAt(text, at + 2) & 255
  const b2 = hexByteAt(text, at + 4) & 255
  const b3 = hexByteAt(text, at + 6) & 255
  return (LITTLE_ENDIAN ? b0 | (b1 << 8) | (b2 << 16) | (b3 << 24) : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0
}

/**
 * Reads the 16 hex digits of a span id at `at` of `text` as the two pool words `toSpanIdHex` would write
 * them from, into `into[index]` and `into[index + 1]`.
 */
export function readSpanIdWords(text: string, at: number, into: Float64Array, index: number): void {
  into[index] = hexWordAt(text, at)
  into[index + 1] = hexWordAt(text, at + 8)
}

/** The 32 hex digits of a trace text's trace id (see traceDigitAt) as one flat string. */
export function flatTraceId(trace: string): string {
  const codes: number[] = []
  for (let digit = 0; digit < 32; digit++) codes.push(traceDigitAt(trace, digit))
  return String.fromCharCode(...codes)
}

const HEX_DIGITS = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0))
/** The character codes of the trace id of the last traceparent made: a fan-out's emits all share one. */
const traceCodes: number[] = new Array(32).fill(48)
let codesTrace = ''

const traceCode = (digit: number): number => traceCodes[digit] as number
/** The hex digits of byte `byte` of the span id in `scratch`: its high half, and its low half. */
const highDigit = (byte: number): number => HEX_DIGITS[(scratch[byte] as number) >> 4] as number
const lowDigit = (byte: number): number => HEX_DIGITS[(scratch[byte] as number) & 15] as number

/**
 * The W3C traceparent (version 00) of a span: `trace` is its trace text (see traceDigitAt), its span id is
 * two pool words. Made by one String.fromCharCode call, so it is one
 * flat string (a template string would be a rope of five, copied again the first time a job reads it) and
 * costs a third of writing the bytes into a Buffer and reading them back.
 */
export function toTraceparent(trace: string, high: number, low: number, sampled: boolean): string {
  if (trace !== codesTrace) {
    for (let digit = 0; digit < 32; digit++) traceCodes[digit] = traceDigitAt(trace, digit)
    codesTrace = trace
  }
  scratchWords[0] = high
  scratchWords[1] = low
  return String.fromCharCode(
    48, 48, 45,
    traceCode(0), traceCode(1), traceCode(2), traceCode(3), traceCode(4), traceCode(5), traceCode(6), traceCode(7),
    traceCode(8), traceCode(9), traceCode(10), traceCode(11), traceCode(12), traceCode(13), traceCode(14), traceCode(15),
    traceCode(16), traceCode(17), traceCode(18), traceCode(19), traceCode(20), traceCode(21), traceCode(22), traceCode(23),
    traceCode(24), traceCode(25), traceCode(26), traceCode(27), traceCode(28), traceCode(29), traceCode(30), traceCode(31),
    45,
    highDigit(0), lowDigit(0), highDigit(1), lowDigit(1), highDigit(2), lowDigit(2), highDigit(3), lowDigit(3),
    highDigit(4), lowDigit(4), highDigit(5), lowDigit(5), highDigit(6), lowDigit(6), highDigit(7), lowDigit(7),
    45, 48, sampled ? 49 : 48,
  )
}
