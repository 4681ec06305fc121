import { createLogger } from '../logger/create-logger.ts'
import { createStepImporter } from '../workers/step-importer.ts'
import { loadProject } from '../steps/load-project.ts'
import { createStepRegistry } from '../steps/registry.ts'
import type { Step, StepLoadError } from '../steps/step.ts'

/**
 * Loads a project's step files (TypeScript, JavaScript and Python) without running anything, for the
 * generators and the graph. Python steps are read by a worker, whose output goes to stderr so what a
 * command prints stays clean.
 */
export async function readSteps(projectDir: string): Promise<{ steps: Step[]; errors: StepLoadError[] }> {
  const registry = createStepRegistry()
  const importer = createStepImporter(projectDir, createLogger({ destination: process.stderr }))
  try {
    await loadProject(projectDir, importer, registry)
  } finally {
    await importer.close()
  }
  return { steps: registry.steps(), errors: registry.errors() }
}
