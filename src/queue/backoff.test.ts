import { describe, expect, it } from 'vitest'
import { toBackoffDelay } from './backoff.ts'

const backoff = { baseMs: 100, maxMs: 1_000 }

describe('toBackoffDelay', () => {
  it('doubles the step with each attempt, with jitter between half and all of it', () => {
    expect([1, 2, 3, 4].map((attempt) => toBackoffDelay(attempt, backoff, () => 0))).toEqual([50, 100, 200, 400])
    expect([1, 2, 3, 4].map((attempt) => toBackoffDelay(attempt, backoff, () => 1))).toEqual([100, 200, 400, 800])
    expect(toBackoffDelay(2, backoff, () => 0.5)).toBe(150)
  })

  it('caps the step at maxMs', () => {
    expect(toBackoffDelay(5, backoff, () => 1)).toBe(1_000)
    expect(toBackoffDelay(40, backoff, () => 0)).toBe(500)
  })

  it('stays within [d/2, d] with the default random source', () => {
    for (let index = 0; index < 200; index += 1) {
      const delay = toBackoffDelay(3, backoff)
      expect(delay).toBeGreaterThanOrEqual(200)
      expect(delay).toBeLessThanOrEqual(400)
    }
  })
})
