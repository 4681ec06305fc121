import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Express } from 'express'
import { MotiaError, toErrorMessage } from '../errors.ts'
import { createModuleImporter, type ModuleImporter } from '../steps/import-module.ts'
import { toExportedConfig } from './exported-config.ts'

/** Where a Motia project keeps its app settings, looked for in the project root in this order. */
export const MOTIA_CONFIG_FILES = ['motia.config.ts', 'motia.config.js'] as const

/**
 * A Motia project's `motia.config.ts`, as exported (`export default config({...})`). motia-like
 * applies `app` and `streamAuth`, and ignores Workbench `plugins`; other fields are kept as given.
 */
export interface MotiaConfig {
  /** Custom express setup, called once at start: middleware and routes that run before the API steps. */
  app?: (expressApp: Express) => unknown
  /** Motia Workbench plugins: motia-like has its own Workbench and ignores them. */
  plugins?: readonly unknown[]
  /** WebSocket authentication of streams. */
  streamAuth?: unknown
  [field: string]: unknown
}

/** A loaded `motia.config.ts` and the file it came from. */
export interface LoadedMotiaConfig {
  file: string
  config: MotiaConfig
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Reads the project's `motia.config.ts`, if any, with `motia` and Motia's plugin packages resolving
 * to a stand-in when not installed; a file that fails to load or has a malformed field is an error
 * naming the file.
 */
export async function loadMotiaConfig(projectDir: string, importer?: ModuleImporter): Promise<LoadedMotiaConfig | undefined> {
  const file = MOTIA_CONFIG_FILES.map((name) => join(projectDir, name)).find((path) => existsSync(path))
  if (!file) return undefined
  let exported: unknown
  try {
    const module = await (importer ?? createModuleImporter(projectDir)).import(file)
    exported = toExportedConfig(module)
  } catch (error) {
    throw new MotiaError('CONFIG_INVALID', `Cannot load ${file}: ${toErrorMessage(error)}. Fix the file, or remove it.`, {
      cause: error,
    })
  }
  if (!isObject(exported)) {
    throw new MotiaError('CONFIG_INVALID', `${file} exports no config object. Export one: export default config({ ... }).`)
  }
  if (exported['app'] !== undefined && typeof exported['app'] !== 'function') {
    throw new MotiaError('CONFIG_INVALID', `${file}: app is not a function. Make it (expressApp) => { ... }, or remove it.`)
  }
  if (exported['plugins'] !== undefined && !Array.isArray(exported['plugins'])) {
    throw new MotiaError('CONFIG_INVALID', `${file}: plugins is not a list. Make it an array, or remove it.`)
  }
  return { file, config: exported as MotiaConfig }
}
