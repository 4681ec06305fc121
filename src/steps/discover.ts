import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import fg from 'fast-glob'
import { IGNORED_DIRS, STEP_PATTERNS, STEP_ROOTS, STREAM_PATTERNS } from './patterns.ts'

/** True for a file, or a symlink to one (fast-glob sees a link, not its target, when it does not follow links). */
function isFileOrLinkToOne(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false
}

/**
 * Absolute paths of every file matching the patterns under the project's step roots, sorted. Symlinked
 * folders are not entered (a link back to a parent would loop); symlinked files are found.
 */
async function discover(projectDir: string, patterns: readonly string[]): Promise<string[]> {
  const roots = STEP_ROOTS.map((root) => join(projectDir, root)).filter((dir) => existsSync(dir))
  const found = await Promise.all(
    roots.map((cwd) =>
      fg([...patterns], { cwd, absolute: true, ignore: [...IGNORED_DIRS], dot: false, followSymbolicLinks: false, onlyFiles: false }),
    ),
  )
  return [...new Set(found.flat())].filter(isFileOrLinkToOne).sort()
}

/** Absolute paths of every step file under the project's step roots, sorted. */
export function discoverStepFiles(projectDir: string): Promise<string[]> {
  return discover(projectDir, STEP_PATTERNS)
}

/** Absolute paths of every stream file under the project's step roots, sorted. */
export function discoverStreamFiles(projectDir: string): Promise<string[]> {
  return discover(projectDir, STREAM_PATTERNS)
}
