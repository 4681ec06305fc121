import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { toTypeScript } from './schema-to-type.ts'

const fromZod = (schema: z.ZodType) => toTypeScript(z.toJSONSchema(schema, { io: 'input' }))

describe('toTypeScript', () => {
  it('converts objects with required and optional fields, arrays, enums and literals', () => {
    const schema = z.object({
      id: z.string(),
      count: z.number().int().optional(),
      tags: z.array(z.string()),
      kind: z.enum(['a', 'b']),
      on: z.literal(true),
      'odd-key': z.boolean(),
    })
    expect(fromZod(schema)).toBe('{ id: string; count?: number; tags: string[]; kind: "a" | "b"; on: true; "odd-key": boolean }')
  })

  it('converts unions, nullables, records, tuples and intersections', () => {
    expect(fromZod(z.union([z.string(), z.number()]).array())).toBe('(string | number)[]')
    expect(fromZod(z.string().nullable())).toBe('string | null')
    expect(fromZod(z.record(z.string(), z.number()))).toBe('Record<string, number>')
    expect(fromZod(z.tuple([z.string(), z.number()]))).toBe('[string, number]')
    expect(toTypeScript({ allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { type: 'object', properties: { b: { type: 'number' } } }] })).toBe(
      '{ a: string } & { b?: number }',
    )
    expect(toTypeScript({ type: ['string', 'null'] })).toBe('string | null')
    expect(toTypeScript({ type: 'string', nullable: true })).toBe('string | null')
  })

  it('inlines local $refs and stops at recursion with unknown', () => {
    const node: z.ZodType = z.object({ name: z.string(), get children() { return z.array(node) } })
    expect(fromZod(node)).toBe('{ name: string; children: { name: string; children: unknown[] }[] }')
    expect(toTypeScript({ $defs: { id: { type: 'string' } }, type: 'object', properties: { id: { $ref: '#/$defs/id' } } })).toBe('{ id?: string }')
  })

  it('falls back to unknown for what it cannot express, never to a wrong type', () => {
    expect(toTypeScript({})).toBe('unknown')
    expect(toTypeScript({ not: { type: 'string' } })).toBe('unknown')
    expect(toTypeScript({ $ref: 'https://example.com/schema.json' })).toBe('unknown')
    expect(toTypeScript({ anyOf: [{ type: 'string' }, {}] })).toBe('unknown')
    expect(toTypeScript({ type: 'object' })).toBe('Record<string, unknown>')
  })
})
