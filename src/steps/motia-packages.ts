import Module from 'node:module'
import { fileURLToPath } from 'node:url'

/** Packages a Motia project imports at run time (in motia.config.ts): `motia`, `@motiadev/core`, Workbench plugins. */
export const MOTIA_PACKAGES = /^(?:motia|@motiadev\/core|@motiadev\/plugin-[^/]+)(?:\/.*)?$/

/** The stand-in those packages resolve to when the project does not install them. */
export const MOTIA_SHIM_URL = new URL('./motia-shim.cjs', import.meta.url).href

interface ResolvableModule {
  _resolveFilename(request: string, ...rest: unknown[]): string
}

let installed = false

/** Makes `require()` of a Motia package the project does not install resolve to the stand-in (ES imports: resolve-hook.mjs). */
export function installMotiaFallback(): void {
  if (installed) return
  installed = true
  const resolvable = Module as unknown as ResolvableModule
  const resolveFilename = resolvable._resolveFilename
  const shim = fileURLToPath(MOTIA_SHIM_URL)
  resolvable._resolveFilename = function (this: unknown, request, ...rest) {
    try {
      return resolveFilename.call(this, request, ...rest)
    } catch (error) {
      if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && MOTIA_PACKAGES.test(request)) return shim
      throw error
    }
  }
}
