/** An example value that satisfies a JSON Schema well enough to start editing a request body from. */
export function sampleOf(schema, depth = 0) {
  if (!schema || typeof schema !== 'object' || depth > 8) return null
  if ('const' in schema) return schema.const
  if ('default' in schema) return schema.default
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0]
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0]
  const choice = schema.anyOf ?? schema.oneOf
  if (Array.isArray(choice) && choice.length) return sampleOf(choice.find((item) => item.type !== 'null') ?? choice[0], depth + 1)
  if (Array.isArray(schema.allOf) && schema.allOf.length) {
    return Object.assign({}, ...schema.allOf.map((part) => sampleOf(part, depth + 1)))
  }
  const type = Array.isArray(schema.type) ? schema.type.find((item) => item !== 'null') : schema.type
  switch (type ?? (schema.properties ? 'object' : undefined)) {
    case 'object': {
      const result = {}
      for (const [key, property] of Object.entries(schema.properties ?? {})) result[key] = sampleOf(property, depth + 1)
      return result
    }
    case 'array':
      return schema.items ? [sampleOf(schema.items, depth + 1)] : []
    case 'string':
      return sampleString(schema)
    case 'integer':
      return Math.ceil(lowest(schema, 1))
    case 'number':
      return lowest(schema, 1)
    case 'boolean':
      return false
    case 'null':
      return null
    default:
      return null
  }
}

function sampleString(schema) {
  switch (schema.format) {
    case 'email':
      return 'user@example.com'
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000'
    case 'date-time':
      return new Date().toISOString()
    case 'date':
      return new Date().toISOString().slice(0, 10)
    case 'uri':
    case 'url':
      return 'https://example.com'
    default: {
      let text = 'string'
      if (text.length < (schema.minLength ?? 0)) text = text.padEnd(schema.minLength, 'x')
      if (text.length > (schema.maxLength ?? Infinity)) text = text.slice(0, schema.maxLength)
      return text
    }
  }
}

/** The smallest value a number schema allows (0 when it says nothing), `step` above an exclusive bound. */
function lowest(schema, step) {
  const { minimum, exclusiveMinimum } = schema
  // JSON Schema draft 4 (zod 3 output) writes exclusiveMinimum as a flag on minimum.
  if (typeof exclusiveMinimum === 'number') return Math.max(exclusiveMinimum + step, minimum ?? -Infinity)
  if (exclusiveMinimum === true && typeof minimum === 'number') return minimum + step
  return minimum ?? 0
}
