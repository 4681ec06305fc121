import { existsSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { stop } from 'esbuild'
import type { BuildManifest } from './build-manifest.ts'
import { toManifest } from './build-manifest.ts'
import { compileEntries, inputsOf, writeManifest } from './build-project.ts'

/** Project files a compile depends on without reading them: the module type and path aliases. */
const PROJECT_SETTINGS = ['package.json', 'tsconfig.json']

// Each pass leaves out the entries the previous one blamed; a chain longer than this loads from source.
const MAX_PASSES = 4

/** True when `entry` is `bad` or imports one of `bad`, directly or through other project files. */
function reaches(entry: string, bad: ReadonlySet<string>, imports: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  const seen = new Set<string>()
  const stack = [entry]
  while (stack.length > 0) {
    const file = stack.pop() as string
    if (bad.has(file)) return true
    if (seen.has(file)) continue
    seen.add(file)
    for (const next of imports.get(file) ?? []) stack.push(next)
  }
  return false
}

/**
 * Compiles a project's step, stream and config files for `start` into `buildDir`, as `motia-like build`
 * does, except that an entry the bundle cannot hold is left to load from source (and fail there with
 * its usual message): one that does not compile or imports a file that does not, one importing a
 * package that is not installed (the bundle would not link), one whose imports compute their path.
 * Returns the manifest, or undefined when a failure names no file to leave out.
 */
export async function compileForStart(projectDir: string, buildDir: string, entries: readonly string[]): Promise<BuildManifest | undefined> {
  let included = [...entries]
  const fromSource = new Set<string>()
  const blamed = new Set<string>()
  try {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      rmSync(buildDir, { recursive: true, force: true })
      const compiled = await compileEntries(projectDir, buildDir, included)
      const bad = new Set<string>()
      if (!compiled.ok) {
        for (const error of compiled.errors) {
          if (!error.location) return undefined
          bad.add(resolve(projectDir, error.location.file))
        }
      } else {
        for (const file of [...compiled.report.missingPackages, ...compiled.report.variableImports]) bad.add(file)
      }
      if (bad.size === 0 && compiled.ok) {
        const settings = PROJECT_SETTINGS.map((name) => join(projectDir, name)).filter((file) => existsSync(file))
        const inputs = [...inputsOf(projectDir, compiled.metafile), ...blamed, ...fromSource, ...settings]
        const manifest = toManifest(projectDir, included, inputs, [...fromSource])
        writeManifest(buildDir, manifest)
        return manifest
      }
      const leftOut = included.filter((entry) => reaches(entry, bad, compiled.report.imports))
      if (leftOut.length === 0) return undefined
      for (const file of bad) blamed.add(file)
      for (const entry of leftOut) fromSource.add(entry)
      included = included.filter((entry) => !fromSource.has(entry))
    }
    return undefined
  } finally {
    // esbuild's service process is only needed for the compile.
    await stop()
  }
}
