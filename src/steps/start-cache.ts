import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type BuildManifest, findBuildEntries, readManifest, staleReason } from './build-manifest.ts'
import { createBuiltImporter } from './import-built.ts'
import type { ModuleImporter } from './import-module.ts'

/** Where `start` keeps the project compiled when there is no current `motia-like build`, inside the project. */
export const START_CACHE_DIR = join('.motia-like', 'cache', 'start')

/** The file in START_CACHE_DIR naming the folder in use; replaced by a rename, so a reader sees one name or the other. */
const CURRENT_FILE = 'current'

/** A folder no start has used for this long is removed by the next compile. */
const UNUSED_MS = 10 * 60_000

/** What `start` found in, or made of, its cache. */
export type StartCache =
  | { kind: 'reused'; importer: ModuleImporter }
  | { kind: 'compiled'; importer: ModuleImporter; files: number; ms: number }
  /** No JavaScript or TypeScript file to compile. */
  | { kind: 'none' }
  | { kind: 'unavailable'; reason: string }

function readCurrent(cacheDir: string): string | undefined {
  try {
    const name = readFileSync(join(cacheDir, CURRENT_FILE), 'utf8').trim()
    return /^[\w.-]+$/.test(name) ? name : undefined
  } catch {
    return undefined
  }
}

function removeQuietly(folder: string): void {
  try {
    rmSync(folder, { recursive: true, force: true })
  } catch {
    // Left for the next compile.
  }
}

/** Removes the folders (but `keep`) whose modification time is older than UNUSED_MS; a folder that cannot be removed stays. */
function removeUnused(cacheDir: string, keep: string): void {
  const before = Date.now() - UNUSED_MS
  for (const entry of readdirSync(cacheDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep) continue
    const folder = join(cacheDir, entry.name)
    if ((statSync(folder, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < before) removeQuietly(folder)
  }
}

/**
 * `start`'s compiled copy of the project's step, stream and config files: reused while every file it
 * read is unchanged (size and modification time) and no such file was added or removed, else compiled
 * again into a new folder that becomes the current one. Files the compile cannot hold load from source.
 */
export async function openStartCache(projectDir: string, configFiles: readonly string[]): Promise<StartCache> {
  const cacheDir = join(projectDir, START_CACHE_DIR)
  const entries = await findBuildEntries(projectDir, configFiles)
  if (entries.length === 0) return { kind: 'none' }
  const current = readCurrent(cacheDir)
  const manifest = current ? readManifest(join(cacheDir, current)) : undefined
  if (current && manifest && !staleReason(projectDir, manifest, entries)) {
    const folder = join(cacheDir, current)
    try {
      // Marks the folder used, so a compile elsewhere does not remove it as unused.
      const now = new Date()
      utimesSync(folder, now, now)
    } catch {
      // A read-only cache still serves.
    }
    return { kind: 'reused', importer: createBuiltImporter(projectDir, folder, manifest) }
  }
  const started = performance.now()
  const name = `${Date.now().toString(36)}-${process.pid}`
  const folder = join(cacheDir, name)
  let compiled: BuildManifest | undefined
  try {
    mkdirSync(folder, { recursive: true })
    const { compileForStart } = await import('./compile-for-start.ts')
    compiled = await compileForStart(projectDir, folder, entries)
    if (!compiled) {
      removeQuietly(folder)
      return { kind: 'unavailable', reason: 'the compile failed without naming a file' }
    }
    const temporary = join(cacheDir, `${CURRENT_FILE}.${process.pid}`)
    writeFileSync(temporary, `${name}\n`)
    renameSync(temporary, join(cacheDir, CURRENT_FILE))
  } catch (error) {
    removeQuietly(folder)
    return { kind: 'unavailable', reason: error instanceof Error ? error.message : String(error) }
  }
  try {
    removeUnused(cacheDir, name)
  } catch {
    // Left for the next compile.
  }
  return { kind: 'compiled', importer: createBuiltImporter(projectDir, folder, compiled), files: compiled.entries.length, ms: Math.round(performance.now() - started) }
}
