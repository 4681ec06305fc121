/** Folders of a project that hold step files. */
export const STEP_ROOTS = ['steps', 'src'] as const

/** Never scanned: dependencies, build output and dot-folders, as glob patterns (see isIgnoredDir). */
export const IGNORED_DIRS = ['**/node_modules/**', '**/dist/**', '**/.*/**'] as const

/** True for the name of a folder never scanned (the same rule as IGNORED_DIRS). */
export function isIgnoredDir(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules' || name === 'dist'
}

const stepFileRegex = /(\.step\.(ts|mts|js|mjs|cjs|rb)|_step\.(ts|js|py|rb))$/

/** True when a path names a step file: `*.step.{ts,mts,js,mjs,cjs,rb}` or `*_step.{ts,js,py,rb}`. */
export function isStepFile(path: string): boolean {
  return stepFileRegex.test(path)
}

const streamFileRegex = /(\.stream\.(ts|js|mjs)|_stream\.(ts|js|py))$/

/** True when a path names a stream file (discovered and watched with the step files, but not a step): `*.stream.{ts,js,mjs}` or `*_stream.{ts,js,py}`. */
export function isStreamFile(path: string): boolean {
  return streamFileRegex.test(path)
}
