import { MotiaError } from '../errors.ts'

let loading = 0
let realExit: typeof process.exit | undefined

/**
 * Runs a module load with `process.exit` turned into a thrown error, so a step file (or a helper it
 * imports) that exits at import fails its own load instead of stopping `start` or `graph`. Loads may
 * overlap: the real `process.exit` is back once the last one settles.
 */
export async function withExitGuard<T>(load: () => Promise<T>): Promise<T> {
  if (loading++ === 0) {
    realExit = process.exit
    process.exit = ((code?: number | string | null) => {
      throw new MotiaError(
        'MODULE_EXIT',
        `it called process.exit(${code ?? ''}) while loading, which would stop every other step; throw an error instead`,
      )
    }) as typeof process.exit
  }
  try {
    return await load()
  } finally {
    if (--loading === 0 && realExit) {
      process.exit = realExit
      realExit = undefined
    }
  }
}
