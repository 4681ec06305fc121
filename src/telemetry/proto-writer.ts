/** Bytes reserved for the length of a nested message, the SDK's ProtobufWriter's guess: most are under 128 bytes. */
const RESERVED_LENGTH_BYTES = 1
const MIN_INT64 = -(2 ** 63)
const MAX_INT64 = 2 ** 63

/** The bytes of a varint of `value` (0 to 2^32 - 1). */
export function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5
}

/**
 * Writes protobuf's wire format into a buffer that grows as needed: for each call the bytes the SDK's
 * ProtobufWriter (@opentelemetry/otlp-transformer) writes, so an encoder over it can match the SDK's
 * serializer byte for byte. Strings, ids and repeated fields may be written as bytes made once (`raw`).
 */
export class ProtoWriter {
  buffer: Buffer
  pos: number
  private readonly doubles = new Float64Array(1)
  private readonly doubleBytes = new Uint8Array(this.doubles.buffer)

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size)
    this.pos = 0
  }

  /** Starts a new message in a fresh buffer of `size` bytes (the last one may still be in flight), writing from `at`. */
  restart(size: number, at: number): void {
    this.buffer = Buffer.allocUnsafe(Math.max(size, at + 64))
    this.pos = at
  }

  ensure(more: number): void {
    if (this.pos + more <= this.buffer.length) return
    let size = Math.max(this.buffer.length * 2, 256)
    while (size < this.pos + more) size *= 2
    const grown = Buffer.allocUnsafe(size)
    this.buffer.copy(grown, 0, 0, this.pos)
    this.buffer = grown
  }

  /** One byte: a tag below field 16, or a small varint. */
  byte(value: number): void {
    this.ensure(1)
    this.buffer[this.pos++] = value
  }

  raw(bytes: Uint8Array): void {
    const length = bytes.length
    this.ensure(length)
    // A loop for an id or a short string: there TypedArray.set costs more than the copy.
    if (length > 12) this.buffer.set(bytes, this.pos)
    else for (let at = 0; at < length; at++) this.buffer[this.pos + at] = bytes[at] as number
    this.pos += length
  }

  /** A varint of an integer in int64's range: negative ones in ten bytes of two's complement, as the SDK writes them. */
  varint(value: number): void {
    this.ensure(10)
    const buffer = this.buffer
    if (value >= 0 && value <= 0xffffffff) {
      let rest = value >>> 0
      while (rest > 0x7f) {
        buffer[this.pos++] = (rest & 0x7f) | 0x80
        rest >>>= 7
      }
      buffer[this.pos++] = rest
      return
    }
    const abs = Math.abs(value)
    let low = abs >>> 0
    let high = (abs / 0x100000000) >>> 0
    if (value < 0) {
      low = (~low + 1) >>> 0
      high = (~high + (low === 0 ? 1 : 0)) >>> 0
    }
    while (high > 0 || low > 0x7f) {
      buffer[this.pos++] = (low & 0x7f) | 0x80
      low = ((low >>> 7) | (high << 25)) >>> 0
      high >>>= 7
    }
    buffer[this.pos++] = low & 0x7f
  }

  fixed32(value: number): void {
    this.ensure(4)
    this.buffer.writeUInt32LE(value >>> 0, this.pos)
    this.pos += 4
  }

  /**
   * Epoch milliseconds as fixed64 nanoseconds, computed as the SDK does from `millisToHrTime` (seconds and
   * rounded nanoseconds) with `writeHrTimeAsFixed64`, so the rounding is the same to the nanosecond.
   */
  millisAsNanos(millis: number): void {
    const seconds = Math.trunc(millis / 1000)
    const nanos = Math.round((millis % 1000) * 1_000_000)
    const fromLower = (seconds & 0xffff) * 1_000_000_000
    const fromUpper = ((seconds / 0x10000) >>> 0) * 1_000_000_000
    const low = (fromLower >>> 0) + (((fromUpper & 0xffff) * 0x10000) >>> 0) + nanos
    const high = Math.floor(fromLower / 0x100000000) + ((fromUpper / 0x10000) >>> 0) + Math.floor(low / 0x100000000)
    this.ensure(8)
    this.buffer.writeUInt32LE(low >>> 0, this.pos)
    this.buffer.writeUInt32LE(high >>> 0, this.pos + 4)
    this.pos += 8
  }

  /** An attribute number: int_value (field 3) when it is an integer in int64's range, else double_value (field 4). */
  anyNumber(value: number): void {
    if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
      this.byte(0x18)
      this.varint(value)
      return
    }
    this.byte(0x21)
    this.doubles[0] = value
    this.ensure(8)
    this.buffer.set(this.doubleBytes, this.pos)
    this.pos += 8
  }

  /** A string's length and UTF-8 bytes (lone surrogates as U+FFFD, as TextEncoder writes them). */
  string(value: string): void {
    const length = value.length
    const from = this.pos
    this.varint(length)
    this.ensure(length)
    const buffer = this.buffer
    let pos = this.pos
    for (let at = 0; at < length; at++) {
      const code = value.charCodeAt(at)
      if (code > 127) return this.utf8(value, from)
      buffer[pos++] = code
    }
    this.pos = pos
  }

  /** Writes `value` again from `from` as UTF-8: its byte length is no longer its length. */
  private utf8(value: string, from: number): void {
    this.pos = from
    const bytes = Buffer.byteLength(value, 'utf8')
    this.varint(bytes)
    this.ensure(bytes)
    this.pos += this.buffer.write(value, this.pos, 'utf8')
  }

  /** Reserves the length of a nested message; returns where it goes, for `end`. */
  begin(): number {
    this.ensure(RESERVED_LENGTH_BYTES)
    const at = this.pos
    this.pos += RESERVED_LENGTH_BYTES
    return at
  }

  /** Writes the length of the message begun at `at`, moving it up when the length needs more bytes than reserved. */
  end(at: number): void {
    const length = this.pos - at - RESERVED_LENGTH_BYTES
    const size = varintSize(length)
    if (size > RESERVED_LENGTH_BYTES) {
      this.ensure(size - RESERVED_LENGTH_BYTES)
      this.buffer.copyWithin(at + size, at + RESERVED_LENGTH_BYTES, this.pos)
      this.pos += size - RESERVED_LENGTH_BYTES
    }
    let rest = length
    let pos = at
    while (rest > 0x7f) {
      this.buffer[pos++] = (rest & 0x7f) | 0x80
      rest >>>= 7
    }
    this.buffer[pos] = rest
  }
}

/** The bytes of what `write` writes, made once to be copied with `raw`. */
export function toBytes(write: (writer: ProtoWriter) => void): Uint8Array {
  const writer = new ProtoWriter(256)
  write(writer)
  return new Uint8Array(writer.buffer.subarray(0, writer.pos))
}
