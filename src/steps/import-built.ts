import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BUNDLE_FILE, type BuildManifest } from './build-manifest.ts'
import { mapStacksOf } from './bundle-stacks.ts'
import { withExitGuard } from './exit-guard.ts'
import { createModuleImporter, type ModuleImporter } from './import-module.ts'

type Loaders = Record<string, (() => Promise<Record<string, unknown>>) | undefined>

/**
 * Imports a project's files from its build (`motia-like build`): one plain ES module Node loads
 * itself, with no TypeScript loader, whose `modules` run each file's top-level code on its first
 * import. A file the build does not hold is imported from source through tsx, loaded only then.
 * Stacks through the module are mapped back to the source files (`mapStacksOf`), so a load error or a
 * failing handler names the file the user wrote.
 */
export function createBuiltImporter(projectDir: string, buildDir: string, manifest: BuildManifest): ModuleImporter {
  const bundleFile = join(buildDir, BUNDLE_FILE)
  mapStacksOf(bundleFile)
  const held = new Set(manifest.entries)
  let bundle: Promise<Loaders> | undefined
  let fromSource: ModuleImporter | undefined
  const linked = (): Promise<Loaders> =>
    (bundle ??= import(pathToFileURL(bundleFile).href).then((module: { modules: Loaders }) => module.modules))
  const sourceImporter = (): ModuleImporter => (fromSource ??= createModuleImporter(projectDir))
  return {
    async ready(file) {
      if (held.has(relative(projectDir, file))) await linked()
      else await sourceImporter().ready?.(file)
    },
    async import(file) {
      const path = relative(projectDir, file)
      const load = held.has(path) ? (await linked())[path] : undefined
      if (!load) return sourceImporter().import(file)
      return withExitGuard(load)
    },
    renew() {
      // A build is fixed: `start` never reloads, and `dev` imports from source.
      fromSource?.renew()
    },
  }
}
