// A module resolve hook (node:module register), one per importer generation, registered after that
// generation's tsx namespace so it runs first. Plain JavaScript: it runs on the loader thread, before
// anything can compile TypeScript there.
import { pathToFileURL } from 'node:url'

const dataPrefix = 'data:text/javascript,'
const filePathMarker = '?filePath='
// tsx's own query parameter for the namespace a module belongs to.
const namespaceParam = 'tsx-namespace'

let namespace = ''
let projectUrl = ''
let frameworkUrls = []
let motiaPackages = /^$/
let shimUrl = ''

export function initialize(data) {
  namespace = data.namespace
  projectUrl = data.projectUrl
  frameworkUrls = data.frameworkUrls
  motiaPackages = new RegExp(data.motiaPackages)
  shimUrl = data.shimUrl
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
    return await nextResolve(specifier, next)
  } catch (error) {
    // motia.config.ts files written for Motia import `motia` and its Workbench plugins, which a
    // motia-like project need not install: they get a stand-in.
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && motiaPackages.test(specifier)) return { url: shimUrl, shortCircuit: true }
    throw error
  }
}
