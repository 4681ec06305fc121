/** Folders of a project that hold step files. */
export const STEP_ROOTS = ['steps', 'src'] as const

/** Step file patterns, relative to each root: one list for the initial scan and the watcher. */
export const STEP_PATTERNS = ['**/*.step.{ts,mts,js,mjs,cjs,rb}', '**/*_step.{ts,js,py,rb}'] as const

/** Never scanned: dependencies, build output and dot-folders. */
export const IGNORED_DIRS = ['**/node_modules/**', '**/dist/**', '**/.*/**'] as const

/** Stream file patterns, relative to each root: discovered and watched with the step files, but not steps. */
export const STREAM_PATTERNS = ['**/*.stream.{ts,js,mjs}', '**/*_stream.{ts,js,py}'] as const

const stepFileRegex = /(\.step\.(ts|mts|js|mjs|cjs|rb)|_step\.(ts|js|py|rb))$/

/** True when a path names a step file (the same rule as STEP_PATTERNS). */
export function isStepFile(path: string): boolean {
  return stepFileRegex.test(path)
}

const streamFileRegex = /(\.stream\.(ts|js|mjs)|_stream\.(ts|js|py))$/

/** True when a path names a stream file (the same rule as STREAM_PATTERNS). */
export function isStreamFile(path: string): boolean {
  return streamFileRegex.test(path)
}
