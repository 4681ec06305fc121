import { MotiaError } from '../errors.ts'

/** Serializes a state value to the JSON every store keeps, or throws naming the key and the fix. */
export function toStateJson(group: string, key: string, value: unknown): string {
  if (value === undefined) {
    throw new MotiaError(
      'STATE_VALUE_UNDEFINED',
      `State value for "${key}" in group "${group}" is undefined. Use state.delete("${group}", "${key}") to remove a key.`,
    )
  }
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (error) {
    throw new MotiaError(
      'STATE_VALUE_NOT_JSON',
      `State value for "${key}" in group "${group}" cannot be converted to JSON. Store plain data without cycles or BigInt.`,
      { cause: error },
    )
  }
  if (json === undefined) {
    throw new MotiaError(
      'STATE_VALUE_NOT_JSON',
      `State value for "${key}" in group "${group}" is a ${typeof value}, which JSON cannot hold. Store plain data.`,
    )
  }
  return json
}
