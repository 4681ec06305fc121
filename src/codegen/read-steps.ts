import { createModuleImporter } from '../steps/import-module.ts'
import { loadProject } from '../steps/load-project.ts'
import { createStepRegistry } from '../steps/registry.ts'
import type { Step, StepLoadError } from '../steps/step.ts'

/** Loads a project's step files without running anything, for generators and the graph. */
export async function readSteps(projectDir: string): Promise<{ steps: Step[]; errors: StepLoadError[] }> {
  const registry = createStepRegistry()
  await loadProject(projectDir, createModuleImporter(projectDir), registry)
  return { steps: registry.steps(), errors: registry.errors() }
}
