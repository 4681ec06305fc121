import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Step } from '../steps/step.ts'
import { detectTypesModule, type StreamTypeSource, type TypesModule, toTypesFile } from './generate-types.ts'

/** Where `types.d.ts` goes in a project. */
export function typesFilePath(projectDir: string): string {
  return join(projectDir, 'types.d.ts')
}

/**
 * Writes `types.d.ts` for the steps, keeping the module an existing file augments unless told otherwise.
 * Leaves the file untouched when nothing changed, so editors and watchers see no churn.
 */
export async function writeTypesFile(
  file: string,
  steps: Step[],
  options: { module?: TypesModule; streams?: StreamTypeSource[] } = {},
): Promise<{ changed: boolean }> {
  const existing = await readFile(file, 'utf8').catch(() => undefined)
  const text = toTypesFile(steps, { module: options.module ?? detectTypesModule(existing), streams: options.streams ?? [] })
  if (text === existing) return { changed: false }
  // Written aside and renamed, so an editor or a test never reads half a file.
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, text)
  await rename(temporary, file)
  return { changed: true }
}
