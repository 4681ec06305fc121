import { randomFillSync } from 'node:crypto'

const HEX_DIGITS = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0))
const DASH = 45
const VERSION_7 = 55

/** Random bytes read 10 per id, refilled 4 KiB at a time. */
const pool = new Uint8Array(4_096)
let drawn = pool.length

/** The hex digits of the time part of the last id made, and its millisecond: a fan-out makes thousands of ids in one. */
const timeDigits: number[] = new Array(12).fill(48)
let lastMs = -1

const timeDigit = (digit: number): number => timeDigits[digit] as number
/** The hex digit of the high or the low half of pool byte `at`. */
const highDigit = (at: number): number => HEX_DIGITS[(pool[at] as number) >> 4] as number
const lowDigit = (at: number): number => HEX_DIGITS[(pool[at] as number) & 15] as number
/** The variant digit (binary 10xx: 8, 9, a or b) with two random bits from pool byte `at`. */
const variantDigit = (at: number): number => HEX_DIGITS[8 | ((pool[at] as number) & 3)] as number

/**
 * A new job's id: a UUID of version 7 (RFC 9562), whose first 48 bits are the creation time in
 * milliseconds and whose other 74 bits are random (from `randomFillSync`, drawn 4 KiB at a time). Ids
 * made in order sort in order, so a store's index of ids grows at its end: on SQLite a commit of new
 * jobs writes a page or two of that index instead of a random page per job. Made by one
 * String.fromCharCode call, so it is one flat string: the slice of randomUUID's text it was made of
 * before took several times as long, and left a rope that the first Map lookup of the id copied again.
 */
export function newJobId(time: number = Date.now()): string {
  const ms = Math.max(0, Math.floor(time))
  if (ms !== lastMs) {
    const hex = ms.toString(16).padStart(12, '0').slice(-12)
    for (let digit = 0; digit < 12; digit++) timeDigits[digit] = hex.charCodeAt(digit)
    lastMs = ms
  }
  if (drawn + 10 > pool.length) {
    randomFillSync(pool)
    drawn = 0
  }
  const at = drawn
  drawn += 10
  return String.fromCharCode(
    timeDigit(0), timeDigit(1), timeDigit(2), timeDigit(3), timeDigit(4), timeDigit(5), timeDigit(6), timeDigit(7),
    DASH,
    timeDigit(8), timeDigit(9), timeDigit(10), timeDigit(11),
    DASH,
    VERSION_7, highDigit(at), lowDigit(at), highDigit(at + 1),
    DASH,
    variantDigit(at + 1), highDigit(at + 2), lowDigit(at + 2), highDigit(at + 3),
    DASH,
    lowDigit(at + 3), highDigit(at + 4), lowDigit(at + 4), highDigit(at + 5), lowDigit(at + 5), highDigit(at + 6),
    lowDigit(at + 6), highDigit(at + 7), lowDigit(at + 7), highDigit(at + 8), lowDigit(at + 8), highDigit(at + 9),
  )
}
