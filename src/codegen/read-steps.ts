import { createLogger } from '../logger/create-logger.ts'
import { createStepImporter } from '../workers/step-importer.ts'
import { loadProject } from '../steps/load-project.ts'
import { createStepRegistry } from '../steps/registry.ts'
import type { Step, StepLoadError } from '../steps/step.ts'
import type { StreamDefinition } from '../streams/load-stream.ts'
import { loadStreams } from '../streams/load-streams.ts'
import { createStreamRegistry } from '../streams/stream-registry.ts'

/**
 * Loads a project's step and stream files (TypeScript, JavaScript and Python) without running anything, for the
 * generators and the graph. Python steps are read by a worker, whose output goes to stderr so what a
 * command prints stays clean.
 */
export async function readSteps(projectDir: string): Promise<{ steps: Step[]; streams: StreamDefinition[]; errors: StepLoadError[] }> {
  const registry = createStepRegistry()
  const errors = { setError: (file: string, error: unknown) => registry.setError(file, error), clearError: (file: string) => void registry.remove(file) }
  const streams = createStreamRegistry(errors)
  const importer = createStepImporter(projectDir, createLogger({ destination: process.stderr }))
  try {
    await Promise.all([loadStreams(projectDir, importer, streams, errors), loadProject(projectDir, importer, registry)])
  } finally {
    await importer.close()
  }
  return { steps: registry.steps(), streams: streams.list(), errors: registry.errors() }
}
