import { describe, expect, it } from 'vitest'
import { newJobId } from './job-id.ts'

describe('newJobId', () => {
  it('is a version 7 UUID whose first 48 bits are the creation time', () => {
    const time = Date.UTC(2026, 0, 2, 3, 4, 5, 678)
    const id = newJobId(time)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(time)
  })

  it('sorts ids of later times after earlier ones, and never repeats one', () => {
    const ids = [newJobId(1_000), newJobId(1_000), newJobId(1_001), newJobId(2_000_000_000_000)]
    expect(new Set(ids).size).toBe(4)
    expect(ids[2]! > ids[1]! && ids[2]! > ids[0]!).toBe(true)
    expect(ids[3]! > ids[2]!).toBe(true)
  })
})
