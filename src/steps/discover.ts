import { statSync } from 'node:fs'
import { join } from 'node:path'
import { type EntryInfo, readdirpPromise } from 'readdirp'
import { isIgnoredDir, isStepFile, isStreamFile, STEP_ROOTS } from './patterns.ts'

/** Folders never entered: dependencies, build output, dot-folders, and symlinked folders (a link back to a parent would loop). */
function isScannedFolder(entry: EntryInfo): boolean {
  return !isIgnoredDir(entry.basename) && entry.dirent?.isSymbolicLink() !== true
}

/**
 * Absolute paths of every file `matches` accepts under the project's step roots, sorted. Symlinked
 * folders are not entered; symlinked files are found. readdirp rather than a glob library: a start
 * spends more on loading a glob matcher than on the walk itself.
 */
async function discover(projectDir: string, matches: (path: string) => boolean): Promise<string[]> {
  const roots = STEP_ROOTS.map((root) => join(projectDir, root)).filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
  const found = await Promise.all(
    roots.map((root) =>
      readdirpPromise(root, {
        type: 'files',
        directoryFilter: isScannedFolder,
        fileFilter: (entry) => !entry.basename.startsWith('.') && matches(entry.basename),
      }),
    ),
  )
  return [...new Set(found.flat().map((entry) => entry.fullPath))].sort()
}

/** Absolute paths of every step file under the project's step roots, sorted. */
export function discoverStepFiles(projectDir: string): Promise<string[]> {
  return discover(projectDir, isStepFile)
}

/** Absolute paths of every stream file under the project's step roots, sorted. */
export function discoverStreamFiles(projectDir: string): Promise<string[]> {
  return discover(projectDir, isStreamFile)
}
