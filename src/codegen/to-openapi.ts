import { compareStrings } from '../graph/compare-strings.ts'
import type { Step } from '../steps/step.ts'
import { toOpenApiPaths } from './openapi-paths.ts'

type JsonSchema = Record<string, unknown>

/** An OpenAPI 3.1 document (the parts this generator writes). */
export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description?: string }
  paths: Record<string, Record<string, Record<string, unknown>>>
  components: { schemas: Record<string, JsonSchema> }
}

export interface OpenApiOptions {
  title: string
  version: string
  description?: string
}

const validationError: JsonSchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    issues: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } }, required: ['path', 'message'] },
    },
  },
  required: ['error', 'issues'],
}

const componentName = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_')

/**
 * Moves a schema's `$defs` (and a recursive root) into `components.schemas` under names prefixed by
 * `prefix`, rewriting its local `$ref`s: inside an OpenAPI document `#/$defs/…` would point at the document.
 */
function toDocumentSchema(schema: JsonSchema, prefix: string, components: Record<string, JsonSchema>): JsonSchema {
  const { $schema: _dialect, $defs, definitions, ...root } = schema
  const defs = { ...(definitions as Record<string, JsonSchema> | undefined), ...($defs as Record<string, JsonSchema> | undefined) }
  const rootName = componentName(prefix)
  const target = (ref: string): string | undefined => {
    if (ref === '#') return `#/components/schemas/${rootName}`
    const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref)
    return match?.[1] ? `#/components/schemas/${componentName(`${prefix}_${decodeURIComponent(match[1])}`)}` : undefined
  }
  let recursive = false
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite)
    if (typeof value !== 'object' || value === null) return value
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => {
        if (key === '$ref' && typeof child === 'string') {
          if (child === '#') recursive = true
          return [key, target(child) ?? child]
        }
        return [key, rewrite(child)]
      }),
    )
  }
  for (const [name, def] of Object.entries(defs)) {
    components[componentName(`${prefix}_${name}`)] = rewrite(def) as JsonSchema
  }
  const rewritten = rewrite(root) as JsonSchema
  if (!recursive) return rewritten
  components[rootName] = rewritten
  return { $ref: `#/components/schemas/${rootName}` }
}

function jsonContent(schema: JsonSchema): Record<string, unknown> {
  return { 'application/json': { schema } }
}

function toOperation(step: Step, params: string[], components: Record<string, JsonSchema>): Record<string, unknown> {
  const config = step.config
  if (config.type !== 'api') return {}
  const { body, responses = {} } = step.jsonSchemas
  const parameters = [
    ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(config.queryParams ?? []).map((param) => ({
      name: param.name,
      in: 'query',
      required: false,
      schema: { type: 'string' },
      ...(param.description ? { description: param.description } : {}),
    })),
  ]
  const documented: Record<string, unknown> = {}
  for (const [status, schema] of Object.entries(responses)) {
    documented[status] = {
      description: `${status} response`,
      content: jsonContent(toDocumentSchema(schema, `${step.name}_${status}`, components)),
    }
  }
  if (body && !documented['400']) {
    documented['400'] = { description: 'The body does not match the bodySchema', content: jsonContent(validationError) }
  }
  if (Object.keys(responses).length === 0) documented['default'] = { description: 'The response of the handler' }
  return {
    operationId: step.name,
    ...(config.description ? { description: config.description } : {}),
    ...(step.flows.length ? { tags: step.flows } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: { required: true, content: jsonContent(toDocumentSchema(body, `${step.name}_body`, components)) } } : {}),
    responses: documented,
  }
}

/**
 * Builds an OpenAPI 3.1 document from the API steps: one operation per step, path parameters from
 * express `:param`, query parameters from `queryParams`, the body from `bodySchema` and one response
 * per `responseSchema` status.
 */
export function toOpenApi(steps: Step[], options: OpenApiOptions): OpenApiDocument {
  const components: Record<string, JsonSchema> = {}
  const paths: OpenApiDocument['paths'] = {}
  const api = steps
    .filter((step) => step.config.type === 'api')
    .sort((a, b) => compareStrings(a.name, b.name))
  for (const step of api) {
    if (step.config.type !== 'api') continue
    for (const { path, params } of toOpenApiPaths(step.config.path)) {
      const item = (paths[path] ??= {})
      item[step.config.method.toLowerCase()] = toOperation(step, params, components)
    }
  }
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => compareStrings(a, b)))
  const info = { title: options.title, version: options.version, ...(options.description ? { description: options.description } : {}) }
  return { openapi: '3.1.0', info, paths: sortedPaths, components: { schemas: components } }
}
