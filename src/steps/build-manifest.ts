import { readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { discoverStepFiles, discoverStreamFiles } from './discover.ts'

/** Where `motia-like build` writes, inside the project, unless told otherwise. */
export const DEFAULT_BUILD_DIR = join('.motia-like', 'build')

/** The file in a build folder that maps each source file to its output. */
export const MANIFEST_FILE = 'manifest.json'

const MANIFEST_VERSION = 2

/** The module a build compiles to, in the build folder. */
export const BUNDLE_FILE = 'index.mjs'

/** A size and modification time: a source file changed when either differs from the build's. */
export interface FileStamp {
  size: number
  mtimeMs: number
}

/** What a build records, with paths relative to the project. */
export interface BuildManifest {
  version: number
  /** The step, stream and config files compiled: the keys of the bundle's `modules`. */
  entries: string[]
  /** Every project file the build read (entries, helpers, JSON), with its stamp at build time. */
  inputs: Record<string, FileStamp>
  /** Step, stream and config files left out of the bundle, imported from source (the start cache's). */
  fromSource?: string[]
}

const compiledExtension = /\.(ts|mts|cts|js|mjs|cjs)$/

/**
 * The files a build compiles: every step and stream file in JavaScript or TypeScript (Python and
 * Ruby run from source), and the `configFiles` present in the project root.
 */
export async function findBuildEntries(projectDir: string, configFiles: readonly string[]): Promise<string[]> {
  const [steps, streams] = await Promise.all([discoverStepFiles(projectDir), discoverStreamFiles(projectDir)])
  const configs = configFiles.map((name) => join(projectDir, name)).filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile())
  return [...steps, ...streams, ...configs].filter((file) => compiledExtension.test(file))
}

/** The stamp of a file now, or undefined when it is gone. */
export function stampOf(file: string): FileStamp | undefined {
  const stats = statSync(file, { throwIfNoEntry: false })
  return stats ? { size: stats.size, mtimeMs: stats.mtimeMs } : undefined
}

/** Reads a build folder's manifest; undefined when there is none or it is not one this version wrote. */
export function readManifest(buildDir: string): BuildManifest | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(join(buildDir, MANIFEST_FILE), 'utf8'))
  } catch {
    return undefined
  }
  const manifest = parsed as Partial<BuildManifest> | null
  if (manifest?.version !== MANIFEST_VERSION || !Array.isArray(manifest.entries) || !manifest.inputs) return undefined
  return manifest as BuildManifest
}

/** A manifest of the given entries and inputs (absolute paths), stamped now; `fromSource` entries are known but not built. */
export function toManifest(projectDir: string, entries: readonly string[], inputs: readonly string[], fromSource: readonly string[] = []): BuildManifest {
  const stamps: Record<string, FileStamp> = {}
  for (const file of inputs) {
    const stamp = stampOf(file)
    if (stamp) stamps[relative(projectDir, file)] = stamp
  }
  const manifest: BuildManifest = { version: MANIFEST_VERSION, entries: entries.map((file) => relative(projectDir, file)), inputs: stamps }
  if (fromSource.length > 0) manifest.fromSource = fromSource.map((file) => relative(projectDir, file))
  return manifest
}

/**
 * Why a build does not match the project any more, or undefined when it does: a source file it read
 * changed or is gone, or a step, stream or config file was added or removed since.
 */
export function staleReason(projectDir: string, manifest: BuildManifest, entries: readonly string[]): string | undefined {
  for (const [file, stamp] of Object.entries(manifest.inputs)) {
    const now = stampOf(resolve(projectDir, file))
    if (!now) return `${file} is gone`
    if (now.size !== stamp.size || now.mtimeMs !== stamp.mtimeMs) return `${file} changed`
  }
  const built = new Set([...manifest.entries, ...(manifest.fromSource ?? [])])
  const current = entries.map((file) => relative(projectDir, file))
  const added = current.find((file) => !built.has(file))
  if (added) return `${added} is new`
  const kept = new Set(current)
  const removed = [...built].find((file) => !kept.has(file))
  return removed ? `${removed} was removed` : undefined
}
