import { readFileSync } from 'node:fs'

/** The one-module zod the CLI runs on (dist/vendor/zod.js, `motia-like/zod`) and the zod version it holds. */
export interface SharedZod {
  url: string
  version: string
}

let offered: URL | undefined
let shared: SharedZod | null | undefined

/**
 * Called by the CLI, whose bundle imports zod from `url` (scripts/bundle-cli.mjs): step files loaded from
 * source that import the same zod version get that module (resolve-hook.mjs) instead of the package's ~95.
 */
export function shareZodWithSteps(url: URL): void {
  offered = url
  shared = undefined
}

/** The zod to give step files, with its version from `zod.json` beside it; undefined when none was offered or it is not there. */
export function sharedZod(): SharedZod | undefined {
  if (shared === undefined) {
    shared = null
    if (offered) {
      try {
        const { version } = JSON.parse(readFileSync(new URL('zod.json', offered), 'utf8')) as { version?: unknown }
        if (typeof version === 'string') shared = { url: offered.href, version }
      } catch {
        // No zod.json beside it (the CLI run from source): step files load the package.
      }
    }
  }
  return shared ?? undefined
}
