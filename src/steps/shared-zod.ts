import { readFileSync } from 'node:fs'

/** The one-module zod the CLI runs on (dist/vendor/zod.js, `motia-like/zod`) and the zod version it holds. */
export interface SharedZod {
  url: string
  version: string
}

/** The zod version named by `zod.json` beside the one-module zod at `moduleUrl` (scripts/bundle-cli.mjs writes both); undefined without one. */
export function vendoredZodVersion(moduleUrl: URL): string | undefined {
  try {
    const { version } = JSON.parse(readFileSync(new URL('zod.json', moduleUrl), 'utf8')) as { version?: unknown }
    return typeof version === 'string' ? version : undefined
  } catch {
    // No zod.json beside it (the CLI run from source): step files load the package.
    return undefined
  }
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

/** The zod to give step files; undefined when none was offered or its version is unknown. Read once. */
export function sharedZod(): SharedZod | undefined {
  if (shared === undefined) {
    const version = offered && vendoredZodVersion(offered)
    shared = offered && version ? { url: offered.href, version } : null
  }
  return shared ?? undefined
}
