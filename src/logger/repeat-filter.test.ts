import { describe, expect, it } from 'vitest'
import { createRepeatFilter } from './repeat-filter.ts'

describe('repeat filter', () => {
  it('lets a message through once per window and counts the repeats it held back', () => {
    let time = 0
    const filter = createRepeatFilter(10_000, () => time)
    expect(filter('connect ECONNREFUSED')).toEqual({ log: true, held: 0 })
    time = 1_000
    expect(filter('connect ECONNREFUSED').log).toBe(false)
    expect(filter('connect ECONNREFUSED').log).toBe(false)
    expect(filter('another error').log).toBe(true)
    time = 11_000
    expect(filter('connect ECONNREFUSED')).toEqual({ log: true, held: 2 })
  })
})
