import { discoverStepFiles } from './discover.ts'
import type { ModuleImporter } from './import-module.ts'
import { loadStep } from './load-step.ts'
import type { StepRegistry } from './registry.ts'

/** Discovers and loads every step file of a project into the registry; broken or hung files become load errors. */
export async function loadProject(projectDir: string, importer: ModuleImporter, registry: StepRegistry, timeoutMs?: number): Promise<void> {
  const files = await discoverStepFiles(projectDir)
  const results = await Promise.allSettled(files.map((file) => loadStep(file, projectDir, importer, timeoutMs)))
  results.forEach((result, index) => {
    const file = files[index] as string
    if (result.status === 'fulfilled') registry.set(result.value)
    else registry.setError(file, result.reason)
  })
}
