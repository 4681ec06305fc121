import { readFile } from 'node:fs/promises'
import { createRequire, register as registerHooks } from 'node:module'
import { sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { NamespacedUnregister } from 'tsx/esm/api'
import { withExitGuard } from './exit-guard.ts'
import { installMotiaFallback, MOTIA_PACKAGES, MOTIA_SHIM_URL } from './motia-packages.ts'
import { sharedZod } from './shared-zod.ts'

/** Imports step files in-process through tsx: TypeScript or JavaScript, ESM or CommonJS. */
export interface ModuleImporter {
  import(file: string): Promise<Record<string, unknown>>
  /** Sets up what importing `file` needs (tsx, a build): awaited before its load timeout starts, so it never counts as the file's. */
  ready?(file: string): Promise<void>
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

const requireCache = createRequire(import.meta.url).cache

type TsxApis = [typeof import('tsx/esm/api'), typeof import('tsx/cjs/api')]
// tsx is imported on the first import of a file: a built project (`motia-like build`) never loads it,
// and so never starts its loader thread (about 39 MB and a cross-thread hop per module).
let tsx: Promise<TsxApis> | undefined
let commonJsHooks: (() => void) | undefined

function loadTsx(): Promise<TsxApis> {
  tsx ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then((apis) => {
    commonJsHooks ??= apis[1].register()
    return apis
  })
  return tsx
}
// Each importer has its own namespaces, so two importers (a config file's, the runtime's) never share modules.
let importers = 0
// motia-like's own files, which never join a project's namespace (the demo project is the repo root).
const frameworkUrls = ['../../src/', '../../bin/'].map((path) => new URL(path, import.meta.url).href)

/**
 * Opens a tsx namespace for one generation of a project's modules, and after it the hook that makes
 * dynamic imports in CommonJS modules resolve from their file, in that namespace, and `zod` of the CLI's
 * version resolve to the CLI's one module (resolve-hook.mjs).
 */
function openNamespace(esm: TsxApis[0], projectDir: string, importer: number, generation: number): NamespacedUnregister {
  const namespace = `motia-like-${importer}-${generation}`
  const api = esm.register({ namespace })
  registerHooks('./resolve-hook.mjs', import.meta.url, {
    data: {
      namespace,
      projectUrl: `${pathToFileURL(projectDir).href}/`,
      frameworkUrls,
      motiaPackages: MOTIA_PACKAGES.source,
      shimUrl: MOTIA_SHIM_URL,
      sharedZod: sharedZod() ?? null,
    },
  })
  return api
}

/**
 * Creates an importer; each generation is a tsx namespace, so a reload never sees stale modules.
 * TypeScript in a project without `"type": "module"` compiles to CommonJS, whose nested imports go
 * through require: tsx's CommonJS hooks handle them, and a new generation clears the project's
 * entries from the require cache.
 */
export function createModuleImporter(projectDir: string): ModuleImporter {
  installMotiaFallback()
  const projectPrefix = `${projectDir}${sep}`
  const importer = importers++
  let generation = 0
  // The namespace of the current generation.
  let api: Promise<NamespacedUnregister> | undefined
  const parentUrl = import.meta.url
  const namespaceOf = (): Promise<NamespacedUnregister> => {
    const current = generation
    return (api ??= loadTsx().then(([esm]) => openNamespace(esm, projectDir, importer, current)))
  }
  // An importer is made only for a project that imports from source: load tsx and open the first
  // namespace now, while the project is discovered, as a static import of tsx did.
  void namespaceOf().catch(() => undefined)

  return {
    async ready() {
      await namespaceOf()
    },
    async import(file) {
      const source = await readFile(file, 'utf8')
      const [, cjs] = await loadTsx()
      const namespace = await namespaceOf()
      return withExitGuard(async () => {
        if (isCommonJs(file, source)) {
          const url = `${pathToFileURL(file).href}?generation=${generation}`
          return cjs.require(url, parentUrl) as Record<string, unknown>
        }
        return (await namespace.import(pathToFileURL(file).href, parentUrl)) as Record<string, unknown>
      })
    },
    renew() {
      for (const key of Object.keys(requireCache)) {
        if (key.startsWith(projectPrefix) && !key.includes(`${sep}node_modules${sep}`)) delete requireCache[key]
      }
      void api?.then((namespace) => namespace.unregister())
      api = undefined
      generation += 1
    },
  }
}
