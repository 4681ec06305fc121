import { createRequire } from 'node:module'
import type { Ajv, ErrorObject } from 'ajv'
import { z } from 'zod'
import type { ValidationIssue } from '../errors.ts'
import type { AnySchema } from '../types.ts'

/** Checks data against a schema: the parsed value when it fits, the issues when it does not. */
export type Validate = (data: unknown) => { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] }

type JsonSchema = Record<string, unknown>

interface ZodLike {
  safeParse(data: unknown): { success: true; data: unknown } | { success: false; error: { issues: ZodIssueLike[] } }
}
interface ZodIssueLike {
  path: PropertyKey[]
  message: string
}

/** True for a zod 4 schema (it carries `_zod`). */
function isZod4(schema: AnySchema): boolean {
  return '_zod' in schema
}

/** True for any zod schema, v3 or v4. */
export function isZodSchema(schema: AnySchema): schema is AnySchema & ZodLike {
  return typeof (schema as Partial<ZodLike>).safeParse === 'function'
}

/**
 * Converts a zod 3, zod 4 or JSON Schema to JSON Schema, for the graph, the Workbench, OpenAPI and
 * generated types. `io` picks what a zod 4 schema accepts (`input`) or produces once parsed (`output`).
 */
export function toJsonSchema(schema: AnySchema, io: 'input' | 'output' = 'input'): JsonSchema {
  if (!isZodSchema(schema)) return schema as JsonSchema
  if (isZod4(schema)) {
    // z.toJSONSchema works on any zod 4 schema, whichever copy of zod created it.
    return z.toJSONSchema(schema as z.ZodType, { io, unrepresentable: 'any' }) as JsonSchema
  }
  // Loaded on the first zod 3 schema only. It is typed against zod 3's classes; a user's zod 3 schema is one at run time.
  const { zodToJsonSchema } = requireHere('zod-to-json-schema') as typeof import('zod-to-json-schema')
  return zodToJsonSchema(schema as Parameters<typeof zodToJsonSchema>[0]) as JsonSchema
}

const requireHere = createRequire(import.meta.url)
let ajv: Ajv | undefined
/** ajv loads on the first JSON Schema: projects that use only zod never pay for it. */
function getAjv(): Ajv {
  if (!ajv) {
    const { Ajv: AjvClass } = requireHere('ajv') as typeof import('ajv')
    ajv = new AjvClass({ allErrors: true, strict: false, coerceTypes: false })
  }
  return ajv
}

function fromAjvError(error: ErrorObject): ValidationIssue {
  const missing = error.keyword === 'required' ? `/${String(error.params['missingProperty'])}` : ''
  const path = `${error.instancePath}${missing}`.replace(/^\//, '').replaceAll('/', '.')
  return { path, message: error.message ?? 'is invalid' }
}

/** Builds a validator for a zod 3, zod 4 or JSON Schema; compiled once, run per request or emit. */
export function createValidator(schema: AnySchema): Validate {
  if (isZodSchema(schema)) {
    return (data) => {
      const result = schema.safeParse(data)
      if (result.success) return { ok: true, value: result.data }
      const issues = result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }))
      return { ok: false, issues }
    }
  }
  const { $schema: _ignored, ...body } = schema as JsonSchema
  const check = getAjv().compile(body)
  return (data) => (check(data) ? { ok: true, value: data } : { ok: false, issues: (check.errors ?? []).map(fromAjvError) })
}

/** Formats issues for a one-line error message. */
export function formatIssues(issues: ValidationIssue[]): string {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ')
}

