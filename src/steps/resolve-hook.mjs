// A module resolve hook (node:module register), one per importer generation, registered after that
// generation's tsx namespace so it runs first. Plain JavaScript: it runs on the loader thread, before
// anything can compile TypeScript there.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const dataPrefix = 'data:text/javascript,'
const filePathMarker = '?filePath='
// tsx's own query parameter for the namespace a module belongs to.
const namespaceParam = 'tsx-namespace'

let namespace = ''
let projectUrl = ''
let frameworkUrls = []
let motiaPackages = /^$/
let shimUrl = ''
/** The CLI's one-module zod, `{ url, version }`, or null. */
let sharedZod = null
/** The zod version of a resolved file, by its folder. */
const zodVersions = new Map()

export function initialize(data) {
  namespace = data.namespace
  projectUrl = data.projectUrl
  frameworkUrls = data.frameworkUrls
  motiaPackages = new RegExp(data.motiaPackages)
  shimUrl = data.shimUrl
  sharedZod = data.sharedZod
}

/** The version of the zod package holding the file at `url` (the first package.json above it named zod). */
function zodVersionAt(url) {
  if (!url.startsWith('file:')) return undefined
  const folder = dirname(fileURLToPath(url.split('?')[0]))
  if (!zodVersions.has(folder)) {
    let version
    for (let dir = folder; dir !== dirname(dir); dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
        if (pkg.name === 'zod') {
          version = pkg.version
          break
        }
      } catch {
        // No package.json here: look further up.
      }
    }
    zodVersions.set(folder, version)
  }
  return zodVersions.get(folder)
}

/**
 * The parent an import inside a project module should resolve from. tsx runs a CommonJS module
 * imported through a namespace as a `data:` URL (keeping its path in `?filePath=`), from which no
 * relative import resolves: such imports resolve from the file, in the file's namespace. A CommonJS
 * module loaded through `require` has no namespace: its imports join this generation's, so they see
 * TypeScript and reload with it.
 */
function toParentUrl(parent) {
  if (parent.startsWith(dataPrefix)) {
    const at = parent.lastIndexOf(filePathMarker)
    if (at === -1) return parent
    const [file, query] = decodeURIComponent(parent.slice(at + filePathMarker.length)).split('?')
    const url = pathToFileURL(file)
    const owner = new URLSearchParams(query).get('namespace')
    if (owner) url.searchParams.set(namespaceParam, owner)
    return url.href
  }
  if (!parent.startsWith(projectUrl) || parent.includes('/node_modules/')) return parent
  if (frameworkUrls.some((prefix) => parent.startsWith(prefix))) return parent
  const url = new URL(parent)
  if (url.searchParams.has(namespaceParam)) return parent
  url.searchParams.set(namespaceParam, namespace)
  return url.href
}

export async function resolve(specifier, context, nextResolve) {
  const parentURL = context.parentURL && toParentUrl(context.parentURL)
  const next = parentURL === context.parentURL ? context : { ...context, parentURL }
  try {
    const resolved = await nextResolve(specifier, next)
    // The same zod as the CLI's: its one module, already loaded, rather than the package's ~95.
    if (specifier === 'zod' && sharedZod && resolved.url !== sharedZod.url && zodVersionAt(resolved.url) === sharedZod.version) {
      return { url: sharedZod.url, shortCircuit: true }
    }
    return resolved
  } catch (error) {
    // motia.config.ts files written for Motia import `motia` and its Workbench plugins, which a
    // motia-like project need not install: they get a stand-in.
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && motiaPackages.test(specifier)) return { url: shimUrl, shortCircuit: true }
    throw error
  }
}
