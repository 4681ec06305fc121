/** Orders strings as SQLite and Redis do (UTF-8 bytes, i.e. code points), not by UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const difference = (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0)
    if (difference !== 0) return difference
  }
  return a.length - b.length
}
