/** A value kept for display: the value, or the start of its JSON text when that is longer than `maxChars`. */
export interface Captured {
  value: unknown
  truncated: boolean
}

/**
 * Copies a value as JSON text, so later changes to the object do not rewrite history and a huge
 * payload costs at most `maxChars` of memory. Values JSON cannot hold are kept as their string form.
 */
export function capture(value: unknown, maxChars: number): string | Captured {
  if (value === undefined) return { value: null, truncated: false }
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch {
    return { value: `[unserializable: ${String(value)}]`, truncated: false }
  }
  if (json === undefined) return { value: String(value), truncated: false }
  if (json.length > maxChars) return { value: `${json.slice(0, maxChars)}…`, truncated: true }
  return json
}

/** The value a capture holds. */
export function release(captured: string | Captured): Captured {
  return typeof captured === 'string' ? { value: JSON.parse(captured) as unknown, truncated: false } : captured
}

/** A text cut to at most `maxChars` (and an ellipsis), so a huge topic, name or message costs what a short one does. */
export function clip(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text
}
