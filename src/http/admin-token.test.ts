import { describe, expect, it } from 'vitest'
import { isSameToken } from './admin-token.ts'

describe('isSameToken', () => {
  it('matches only the same token, whatever the lengths (both sides are hashed before the constant-time compare)', () => {
    expect(isSameToken('s3cret', 's3cret')).toBe(true)
    expect(isSameToken('', 's3cret')).toBe(false)
    expect(isSameToken('s3cre', 's3cret')).toBe(false)
    expect(isSameToken('s3cret'.repeat(1000), 's3cret')).toBe(false)
    expect(isSameToken('\u00e9', 'e\u0301')).toBe(false)
  })
})
