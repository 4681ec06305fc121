import { existsSync } from 'node:fs'
import { typesFilePath, writeTypesFile } from '../codegen/write-types-file.ts'
import { toErrorMessage } from '../errors.ts'
import type { Runtime } from '../runtime/create-runtime.ts'

/**
 * Rewrites the project's `types.d.ts` from the live steps and streams, when the project has one (written by
 * `generate types`, a template, or Motia). Never throws: a failure is logged and dev goes on.
 */
export async function refreshTypes(runtime: Runtime): Promise<void> {
  const file = typesFilePath(runtime.projectDir)
  if (!existsSync(file)) return
  try {
    const { changed } = await writeTypesFile(file, runtime.registry.steps(), { streams: runtime.streams.registry.list() })
    if (changed) runtime.logger.info('types.d.ts updated from the step files')
  } catch (error) {
    runtime.logger.error(`Could not update types.d.ts: ${toErrorMessage(error)}`, { error })
  }
}
