import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BuildManifest } from './build-manifest.ts'
import { withExitGuard } from './exit-guard.ts'
import { createModuleImporter, type ModuleImporter } from './import-module.ts'

/**
 * Imports a project's files from its build (`motia-like build`): plain ES modules Node loads itself,
 * with no TypeScript loader. A file the build does not hold (a config file added since) is imported
 * from source through tsx, loaded only then. Stacks are mapped back to the source files, so a load
 * error or a failing handler names the file the user wrote.
 */
export function createBuiltImporter(projectDir: string, buildDir: string, manifest: BuildManifest): ModuleImporter {
  process.setSourceMapsEnabled(true)
  let fromSource: ModuleImporter | undefined
  return {
    async import(file) {
      const output = manifest.outputs[relative(projectDir, file)]
      if (output === undefined) return (fromSource ??= createModuleImporter(projectDir)).import(file)
      const url = pathToFileURL(join(buildDir, output)).href
      return withExitGuard(async () => (await import(url)) as Record<string, unknown>)
    },
    renew() {
      // A build is fixed: `start` never reloads, and `dev` imports from source.
      fromSource?.renew()
    },
  }
}
