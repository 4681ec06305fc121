import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { MotiaError, toErrorMessage } from '../errors.ts'
import { createModuleImporter } from '../steps/import-module.ts'
import type { StreamAuthConfig } from '../streams/stream-types.ts'
import type { ProjectConfig } from './define-config.ts'

/** `streamAuth` as the config files may give it. */
export const streamAuthSchema = z.object({
  authenticate: z.custom<StreamAuthConfig['authenticate']>((value) => typeof value === 'function', 'must be a function ({ headers, url }) => authContext'),
  contextSchema: z.object({}).passthrough().optional(),
})

/** Where a Motia project keeps its app settings. */
const MOTIA_CONFIG_FILES = ['motia.config.ts', 'motia.config.js'] as const

/** `streamAuth` of a Motia project's `motia.config.ts`, when it sets one. */
async function readMotiaStreamAuth(projectDir: string): Promise<StreamAuthConfig | undefined> {
  const file = MOTIA_CONFIG_FILES.map((name) => join(projectDir, name)).find((path) => existsSync(path))
  // A file that never mentions streamAuth is not imported: its plugins may need what is not installed.
  if (!file || !(await readFile(file, 'utf8')).includes('streamAuth')) return undefined
  let exported: unknown
  try {
    const module = await createModuleImporter(projectDir).import(file)
    exported = module['default'] ?? module['config']
  } catch (error) {
    throw new MotiaError('CONFIG_INVALID', `Cannot load ${file} to read its streamAuth: ${toErrorMessage(error)}. Fix the file, or move streamAuth to motia-like.config.ts.`, {
      cause: error,
    })
  }
  const streamAuth = (exported as { streamAuth?: unknown } | undefined)?.streamAuth
  if (streamAuth === undefined) return undefined
  const parsed = streamAuthSchema.safeParse(streamAuth)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new MotiaError('CONFIG_INVALID', `${file}: streamAuth.${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}. Fix it, or remove streamAuth to leave streams open.`)
  }
  return streamAuth as StreamAuthConfig
}

/** Stream authentication: `streamAuth` of `motia-like.config.ts`, else of a Motia project's `motia.config.ts`, else none (streams are open). */
export async function loadStreamAuth(projectDir: string, config: ProjectConfig): Promise<StreamAuthConfig | undefined> {
  return config.streamAuth ?? (await readMotiaStreamAuth(projectDir))
}
