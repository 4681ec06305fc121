import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fg from 'fast-glob'
import { IGNORED_DIRS, STEP_PATTERNS, STEP_ROOTS } from './patterns.ts'

/** Absolute paths of every step file under the project's step roots, sorted. */
export async function discoverStepFiles(projectDir: string): Promise<string[]> {
  const roots = STEP_ROOTS.map((root) => join(projectDir, root)).filter((dir) => existsSync(dir))
  const found = await Promise.all(
    roots.map((cwd) => fg([...STEP_PATTERNS], { cwd, absolute: true, ignore: [...IGNORED_DIRS], dot: false })),
  )
  return [...new Set(found.flat())].sort()
}
