import { statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

const specifierPattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm
const extensions = ['', '.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '/index.ts', '/index.js']

/** Resolves a relative specifier to a file, trying the extensions TypeScript projects use. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier)
  // `./x.js` in TypeScript source usually means `./x.ts`.
  const stripped = base.replace(/\.(m|c)?js$/, '')
  for (const candidate of [base, ...extensions.map((ext) => `${stripped}${ext}`)]) {
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate
  }
  return undefined
}

/** The local files a module imports (relative specifiers only: packages do not hot-reload). */
export function findLocalImports(file: string, source: string): string[] {
  const found = new Set<string>()
  for (const match of source.matchAll(specifierPattern)) {
    const resolved = match[2] ? resolveSpecifier(file, match[2]) : undefined
    if (resolved && resolved !== file) found.add(resolved)
  }
  return [...found]
}

/** Who imports whom among a project's local modules, to reload every step that uses an edited helper. */
export interface ImportGraph {
  /** Records the imports of a module from its source. */
  update(file: string, source: string): void
  remove(file: string): void
  /** Every module that imports `file`, directly or through other modules. */
  dependentsOf(file: string): Set<string>
}

/** Creates an empty import graph. */
export function createImportGraph(): ImportGraph {
  const importsOf = new Map<string, string[]>()
  const importersOf = new Map<string, Set<string>>()

  function unlink(file: string): void {
    for (const imported of importsOf.get(file) ?? []) importersOf.get(imported)?.delete(file)
    importsOf.delete(file)
  }

  return {
    update(file, source) {
      unlink(file)
      const imports = findLocalImports(file, source)
      importsOf.set(file, imports)
      for (const imported of imports) {
        const importers = importersOf.get(imported) ?? new Set<string>()
        importers.add(file)
        importersOf.set(imported, importers)
      }
    },
    remove: unlink,
    dependentsOf(file) {
      const seen = new Set<string>()
      const queue = [file]
      for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
        for (const importer of importersOf.get(next) ?? []) {
          if (seen.has(importer) || importer === file) continue
          seen.add(importer)
          queue.push(importer)
        }
      }
      return seen
    },
  }
}
