/** Orders strings by code unit, the same on every machine whatever its locale. */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1
  return a > b ? 1 : 0
}
