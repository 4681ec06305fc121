import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { require as requireWithTsx } from 'tsx/cjs/api'
import { register } from 'tsx/esm/api'

/** Imports step files in-process through tsx: TypeScript or JavaScript, ESM or CommonJS. */
export interface ModuleImporter {
  import(file: string): Promise<Record<string, unknown>>
  /** Starts a fresh module generation: later imports re-evaluate files and what they import. */
  renew(): void
}

const esmSyntax = /^\s*(import|export)\s/m
const cjsSyntax = /\b(module\.exports|exports\.[\w$]+\s*=|require\s*\()/

/** CommonJS step files (`exports.config = …`) cannot run as ES modules in a `"type": "module"` package. */
function isCommonJs(file: string, source: string): boolean {
  if (file.endsWith('.cjs')) return true
  if (file.endsWith('.mjs') || file.endsWith('.mts')) return false
  return cjsSyntax.test(source) && !esmSyntax.test(source)
}

/** Creates an importer; each generation is a tsx namespace, so a reload never sees stale modules. */
export function createModuleImporter(): ModuleImporter {
  let generation = 0
  let api = register({ namespace: `motia-like-${generation}` })
  const parentUrl = import.meta.url

  return {
    async import(file) {
      const source = await readFile(file, 'utf8')
      if (isCommonJs(file, source)) {
        const url = `${pathToFileURL(file).href}?generation=${generation}`
        return requireWithTsx(url, parentUrl) as Record<string, unknown>
      }
      return (await api.import(pathToFileURL(file).href, parentUrl)) as Record<string, unknown>
    },
    renew() {
      void api.unregister()
      generation += 1
      api = register({ namespace: `motia-like-${generation}` })
    },
  }
}
