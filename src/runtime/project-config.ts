import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { MotiaError, toErrorMessage } from '../errors.ts'
import { createModuleImporter, type ModuleImporter } from '../steps/import-module.ts'
import { corsSettingsSchema } from './cors-settings.ts'
import { toExportedConfig } from './exported-config.ts'
import type { ProjectConfig } from './define-config.ts'
import { streamAuthSchema } from './stream-auth-config.ts'

const configSchema = z.strictObject({
  redis: z
    .strictObject({
      url: z.string().min(1),
      prefix: z.string().min(1).optional(),
      lockDurationMs: z.number().int().min(1000).optional(),
    })
    .optional(),
  cors: corsSettingsSchema.optional(),
  admin: z.strictObject({ requireToken: z.boolean().optional() }).optional(),
  streamAuth: streamAuthSchema.optional(),
})

/** The config files looked for in a project folder, in order. */
export const CONFIG_FILES = ['motia-like.config.ts', 'motia-like.config.js'] as const

/** Reads the project's config file, if any; a bad one is an error naming the file and the field. */
export async function loadProjectConfig(projectDir: string, importer?: ModuleImporter): Promise<ProjectConfig> {
  const file = CONFIG_FILES.map((name) => join(projectDir, name)).find((path) => existsSync(path))
  if (!file) return {}
  let exported: unknown
  try {
    const module = await (importer ?? createModuleImporter(projectDir)).import(file)
    exported = toExportedConfig(module)
  } catch (error) {
    throw new MotiaError('CONFIG_INVALID', `Cannot load ${file}: ${toErrorMessage(error)}`, { cause: error })
  }
  const parsed = configSchema.safeParse(exported ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.join('.') || 'the default export'
    throw new MotiaError('CONFIG_INVALID', `${file}: ${where}: ${issue?.message}. Fix it, or remove the file to use the defaults.`)
  }
  return parsed.data as ProjectConfig
}

/** Redis settings from MOTIA_REDIS_URL / MOTIA_REDIS_PREFIX / MOTIA_REDIS_LOCK_MS, else the config file; undefined for the embedded store. */
export function toRedisSettings(config: ProjectConfig): Required<NonNullable<ProjectConfig['redis']>> | undefined {
  const url = process.env['MOTIA_REDIS_URL'] || config.redis?.url
  if (!url) return undefined
  const lock = process.env['MOTIA_REDIS_LOCK_MS']
  const lockDurationMs = lock ? Number(lock) : (config.redis?.lockDurationMs ?? 30_000)
  if (!Number.isInteger(lockDurationMs) || lockDurationMs < 1000) {
    throw new MotiaError('CONFIG_INVALID', `MOTIA_REDIS_LOCK_MS is "${lock}". Set it to a whole number of milliseconds, at least 1000.`)
  }
  return { url, prefix: process.env['MOTIA_REDIS_PREFIX'] || config.redis?.prefix || 'motia', lockDurationMs }
}
