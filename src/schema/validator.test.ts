import { z } from 'zod'
import { z as z3 } from 'zod/v3'
import { describe, expect, it } from 'vitest'
import { createValidator, formatIssues, toJsonSchema } from './validator.ts'

const cases = {
  'zod 4': z.object({ email: z.string(), age: z.number().int().optional() }),
  'zod 3': z3.object({ email: z3.string(), age: z3.number().int().optional() }),
  'JSON Schema': {
    type: 'object',
    properties: { email: { type: 'string' }, age: { type: 'integer' } },
    required: ['email'],
  },
}

describe.each(Object.entries(cases))('%s schemas', (_kind, schema) => {
  const validate = createValidator(schema)

  it('accept valid data', () => {
    expect(validate({ email: 'a@b.c', age: 3 })).toEqual({ ok: true, value: { email: 'a@b.c', age: 3 } })
  })

  it('reject invalid data with the path of each issue', () => {
    const result = validate({ age: 1.5 })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(['age', 'email'])
    expect(formatIssues(result.issues)).toMatch(/email: /)
  })

  it('convert to JSON Schema with properties and required fields', () => {
    const json = toJsonSchema(schema)
    expect(json['type']).toBe('object')
    expect(Object.keys(json['properties'] as object).sort()).toEqual(['age', 'email'])
    expect(json['required']).toEqual(['email'])
  })
})
