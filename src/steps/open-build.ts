import { relative, resolve } from 'node:path'
import { findBuildEntries, readManifest, staleReason } from './build-manifest.ts'
import { createBuiltImporter } from './import-built.ts'
import type { ModuleImporter } from './import-module.ts'

/** What `start` found in the build folder. */
export type ProjectBuild =
  | { kind: 'current'; importer: ModuleImporter; files: number }
  | { kind: 'stale'; reason: string }
  | { kind: 'none' }

/**
 * The project's build when it matches the sources (every file it read unchanged, no step, stream or
 * config file added or removed since), else why not.
 */
export async function openProjectBuild(projectDir: string, buildDir: string, configFiles: readonly string[]): Promise<ProjectBuild> {
  const manifest = readManifest(buildDir)
  if (!manifest) return { kind: 'none' }
  const reason = staleReason(projectDir, manifest, await findBuildEntries(projectDir, configFiles))
  if (reason) return { kind: 'stale', reason }
  return { kind: 'current', importer: createBuiltImporter(projectDir, buildDir, manifest), files: manifest.entries.length }
}

/** The build folder to use: the given one (relative to the project), else the default. */
export function toBuildDir(projectDir: string, buildDir: string): string {
  return resolve(projectDir, buildDir)
}

/** A build folder as the user would name it: relative to the project. */
export function describeBuildDir(projectDir: string, buildDir: string): string {
  return relative(projectDir, buildDir) || '.'
}
