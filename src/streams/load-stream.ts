import { relative } from 'node:path'
import { z } from 'zod'
import { StepConfigError, toErrorMessage } from '../errors.ts'
import { createValidator, toJsonSchema, type Validate } from '../schema/validator.ts'
import type { ModuleImporter } from '../steps/import-module.ts'
import { DEFAULT_LOAD_TIMEOUT_MS, importProjectFile } from '../steps/load-step.ts'
import type { CustomStreamStorage, StreamConfig } from './stream-types.ts'

/** A stream file after loading: what `ctx.streams`, the socket server and the generators work from. */
export interface StreamDefinition {
  name: string
  /** Absolute path of the stream file. */
  file: string
  /** Path relative to the project root, for messages. */
  relativeFile: string
  config: StreamConfig
  /** The item schema as JSON Schema, when the stream has one. */
  jsonSchema: Record<string, unknown> | undefined
  /** Checks items on `set`: only with `validate: true`. */
  validate: Validate | undefined
  /** The stream's own storage (`storageType: 'custom'`), made once per load by its factory. */
  custom: CustomStreamStorage | undefined
}

const isFunction = (value: unknown): boolean => typeof value === 'function'

// Unknown fields are ignored, as Motia ignores them; what is read is checked.
const streamConfigSchema = z.object({
  name: z.string().min(1, 'must be a non-empty string'),
  schema: z.custom<object>((value) => typeof value === 'object' && value !== null, 'must be a zod schema or a JSON Schema object').optional(),
  baseConfig: z
    .discriminatedUnion('storageType', [
      z.object({ storageType: z.literal('default') }),
      z.object({ storageType: z.literal('custom'), factory: z.custom<() => unknown>(isFunction, 'must be a function returning the storage') }),
    ])
    .optional(),
  validate: z.boolean().optional(),
  canAccess: z.custom<StreamConfig['canAccess']>(isFunction, 'must be a function ({ groupId, id }, authContext) => boolean').optional(),
})

function invalid(file: string, relativeFile: string, message: string): StepConfigError {
  return new StepConfigError(file, `Invalid stream config in ${relativeFile}: ${message}.`)
}

/** Imports one stream file and checks its config; throws StepConfigError naming the file and the fix. */
export async function loadStream(
  file: string,
  projectDir: string,
  importer: ModuleImporter,
  timeoutMs = DEFAULT_LOAD_TIMEOUT_MS,
): Promise<StreamDefinition> {
  const relativeFile = relative(projectDir, file)
  const exports = await importProjectFile(importer, file, relativeFile, timeoutMs)
  const mod = (exports['config'] ? exports : (exports['default'] as Record<string, unknown> | undefined)) ?? exports
  if (mod['config'] === undefined) {
    throw new StepConfigError(file, `${relativeFile} exports no config. Export \`config = { name, schema, baseConfig: { storageType: 'default' } }\` from the stream file.`)
  }
  const parsed = streamConfigSchema.safeParse(mod['config'])
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue?.path.join('.') || 'config'
    throw invalid(file, relativeFile, `config.${field} ${issue?.message.replace(/^Invalid input: /, '') ?? 'is invalid'}`)
  }
  const config = mod['config'] as StreamConfig
  if (config.validate && !config.schema) {
    throw invalid(file, relativeFile, 'config.validate is true but there is no config.schema to check items against; add a schema or remove validate')
  }
  let custom: CustomStreamStorage | undefined
  if (config.baseConfig?.storageType === 'custom') {
    try {
      custom = config.baseConfig.factory()
    } catch (error) {
      throw invalid(file, relativeFile, `config.baseConfig.factory threw: ${toErrorMessage(error)}`)
    }
  }
  return {
    name: config.name,
    file,
    relativeFile,
    config,
    jsonSchema: config.schema ? toJsonSchema(config.schema) : undefined,
    validate: config.validate && config.schema ? createValidator(config.schema) : undefined,
    custom,
  }
}
