type JsonSchema = Record<string, unknown>

const identifier = /^[A-Za-z_$][\w$]*$/

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function literal(value: unknown): string {
  return value === null ? 'null' : JSON.stringify(value)
}

/** A single-quoted TypeScript string literal. */
export function quote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

/** Wraps a union or intersection so it can be followed by `[]` or joined into another union. */
function group(type: string): string {
  return /[|&]/.test(type) && !/^[[{(]/.test(type) ? `(${type})` : type
}

/** The union of type expressions: `unknown` when one of them is, `never` when there are none. */
export function union(types: string[]): string {
  const unique = [...new Set(types)]
  if (unique.includes('unknown')) return 'unknown'
  return unique.length === 0 ? 'never' : unique.map(group).join(' | ')
}

/**
 * Converts a JSON Schema (the draft 2020-12 and draft-07 subset zod and hand-written schemas use) to a
 * TypeScript type expression. Local `$ref`s (`#/$defs/…`, `#/definitions/…`) are inlined; a recursive
 * one becomes `unknown`. Anything it cannot express becomes `unknown`, never a wrong type.
 * @example
 * toTypeScript({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }) // '{ id: string }'
 */
export function toTypeScript(schema: unknown): string {
  return convert(schema, isSchema(schema) ? schema : {}, new Set())
}

function convert(schema: unknown, root: JsonSchema, expanding: Set<string>): string {
  if (schema === true || schema === undefined) return 'unknown'
  if (schema === false) return 'never'
  if (!isSchema(schema)) return 'unknown'
  const type = convertInner(schema, root, expanding)
  return schema['nullable'] === true && type !== 'unknown' ? union([type, 'null']) : type
}

function convertInner(schema: JsonSchema, root: JsonSchema, expanding: Set<string>): string {
  const next = (child: unknown) => convert(child, root, expanding)
  if (typeof schema['$ref'] === 'string') return convertRef(schema['$ref'], root, expanding)
  if ('const' in schema) return literal(schema['const'])
  if (Array.isArray(schema['enum'])) return union(schema['enum'].map(literal))
  const choices = (schema['anyOf'] ?? schema['oneOf']) as unknown
  if (Array.isArray(choices)) return union(choices.map(next))
  if (Array.isArray(schema['allOf'])) {
    const parts = [...new Set(schema['allOf'].map(next))].filter((part) => part !== 'unknown')
    return parts.length === 0 ? 'unknown' : parts.map(group).join(' & ')
  }
  const type = schema['type']
  if (Array.isArray(type)) return union(type.map((one) => convertInner({ ...schema, type: one }, root, expanding)))
  switch (type) {
    case 'string':
      return 'string'
    case 'number':
    case 'integer':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'null':
      return 'null'
    case 'array':
      return convertArray(schema, next)
    case 'object':
      return convertObject(schema, next)
    default:
      return isSchema(schema['properties']) ? convertObject(schema, next) : 'unknown'
  }
}

function convertRef(ref: string, root: JsonSchema, expanding: Set<string>): string {
  if (expanding.has(ref)) return 'unknown'
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref)
  const definitions = match ? root[match[1] as string] : undefined
  const target = isSchema(definitions) ? definitions[decodeURIComponent(match?.[2] ?? '')] : ref === '#' ? root : undefined
  if (target === undefined) return 'unknown'
  expanding.add(ref)
  const type = convert(target, root, expanding)
  expanding.delete(ref)
  return type
}

function convertArray(schema: JsonSchema, next: (child: unknown) => string): string {
  const prefix = schema['prefixItems'] ?? (Array.isArray(schema['items']) ? schema['items'] : undefined)
  if (Array.isArray(prefix)) {
    const rest = Array.isArray(schema['items']) ? schema['additionalItems'] : schema['items']
    const restType = rest === undefined || rest === false ? '' : `, ...${group(next(rest))}[]`
    return `[${prefix.map(next).join(', ')}${restType}]`
  }
  return `${group(next(schema['items']))}[]`
}

function convertObject(schema: JsonSchema, next: (child: unknown) => string): string {
  const properties = isSchema(schema['properties']) ? schema['properties'] : {}
  const required = new Set(Array.isArray(schema['required']) ? (schema['required'] as string[]) : [])
  const members = Object.entries(properties).map(([key, value]) => {
    const name = identifier.test(key) ? key : JSON.stringify(key)
    return `${name}${required.has(key) ? '' : '?'}: ${next(value)}`
  })
  const extra = schema['additionalProperties']
  if (members.length === 0) {
    if (extra === false) return 'Record<string, never>'
    return `Record<string, ${isSchema(extra) ? next(extra) : 'unknown'}>`
  }
  return `{ ${members.join('; ')} }`
}
