import { discoverStreamFiles } from '../steps/discover.ts'
import type { ModuleImporter } from '../steps/import-module.ts'
import { loadStream } from './load-stream.ts'
import type { LoadErrorSink, StreamRegistry } from './stream-registry.ts'

/** Discovers and loads every stream file of a project into the registry; broken or hung files become load errors. */
export async function loadStreams(
  projectDir: string,
  importer: ModuleImporter,
  registry: StreamRegistry,
  errors: LoadErrorSink,
  timeoutMs?: number,
): Promise<void> {
  const files = await discoverStreamFiles(projectDir)
  const results = await Promise.allSettled(files.map((file) => loadStream(file, projectDir, importer, timeoutMs)))
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') registry.set(result.value)
    else errors.setError(files[index] as string, result.reason)
  })
}
