import { fileURLToPath } from 'node:url'

/** Finds the 1-based line of an error inside `file`: from esbuild's `file:line:col` or a stack frame. */
export function findErrorLine(error: unknown, file: string): number | undefined {
  if (!(error instanceof Error)) return undefined
  const text = `${error.message}\n${error.stack ?? ''}`
  for (const match of text.matchAll(/((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)/g)) {
    const [, where, line] = match
    if (!where || !line) continue
    const path = where.startsWith('file://') ? fileURLToPath(where.split('?')[0] ?? where) : where.split('?')[0]
    if (path === file) return Number(line)
  }
  return undefined
}

/** Best-effort line of a config field (`method:`) in a step's source, for config errors. */
export function findFieldLine(source: string, field: string | undefined): number | undefined {
  if (!field) return undefined
  const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  // `field:` (TypeScript, Python, Ruby symbol keys) or `field =>` (Ruby hash rockets).
  const match = new RegExp(`^(.*?)["']?\\b${escaped}["']?\\s*(?::|=>)`, 'm').exec(source)
  if (!match) return undefined
  return source.slice(0, match.index).split('\n').length
}
