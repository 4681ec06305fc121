import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { z } from 'zod'
import { StepConfigError, toErrorMessage } from '../errors.ts'
import { createValidator, toJsonSchema } from '../schema/validator.ts'
import type { ApiMiddleware, Emit, StepConfig, StepHandler } from '../types.ts'
import { checkFlowControl } from './check-flow-control.ts'
import { stepConfigSchema, toFieldPath } from './config-schema.ts'
import { findErrorLine, findFieldLine } from './error-location.ts'
import type { ModuleImporter } from './import-module.ts'
import type { EmitSpec, Step, StepJsonSchemas } from './step.ts'

function toEmitSpecs(emits: readonly Emit[] | undefined): EmitSpec[] {
  return (emits ?? []).map((emit) => (typeof emit === 'string' ? { topic: emit } : { ...emit }))
}

function describeIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field = toFieldPath(issue.path)
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `"${key}"`).join(', ')
    const where = field === 'config' ? 'config' : `config.${field}`
    return { field: issue.keys[0] ?? field, message: `${where} has unknown field ${keys}: remove it or check its spelling` }
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return { field, message: `config.${field} is required (${issue.message.replace(/^Invalid input: /, '')})` }
  }
  return { field, message: `config.${field} ${issue.message.replace(/^Invalid input: /, '')}` }
}

function configError(file: string, relativeFile: string, source: string, issues: z.core.$ZodIssue[]): StepConfigError {
  const described = issues.map(describeIssue)
  const first = described[0]
  const lastSegment = first?.field.split('.').findLast((part) => !/^\d+$/.test(part))
  const line = findFieldLine(source, lastSegment)
  const where = line ? `${relativeFile}:${line}` : relativeFile
  const message = `Invalid step config in ${where}: ${described.map((d) => d.message).join('; ')}.`
  return new StepConfigError(file, message, { line })
}

/** Builds the Step record a subsystem runs from a validated config and its handler. */
function toStep(file: string, relativeFile: string, config: StepConfig, handler: StepHandler | undefined): Step {
  const step: Step = {
    name: config.name,
    type: config.type,
    file,
    relativeFile,
    config,
    flows: [...(config.flows ?? [])],
    emits: config.type === 'noop' ? [] : toEmitSpecs(config.emits),
    virtualEmits: toEmitSpecs(config.virtualEmits),
    subscribes: config.type === 'event' ? [...config.subscribes] : [],
    virtualSubscribes: [...(config.virtualSubscribes ?? [])],
    handler,
    middleware: config.type === 'api' ? ((config.middleware ?? []) as ApiMiddleware[]) : [],
    jsonSchemas: toJsonSchemas(config),
    validators: {},
  }
  if (config.type === 'event' && config.input) step.validators.input = createValidator(config.input)
  if (config.type === 'api' && config.bodySchema) step.validators.body = createValidator(config.bodySchema)
  return step
}

/**
 * A step's schemas as JSON Schema, each converted when first read (by the graph, the Workbench, OpenAPI or
 * generated types) and kept: a `start` that serves requests never converts them. A key is present exactly
 * when the config has that schema.
 */
function toJsonSchemas(config: StepConfig): StepJsonSchemas {
  const schemas: StepJsonSchemas = {}
  const convertOnRead = <K extends keyof StepJsonSchemas>(key: K, convert: () => NonNullable<StepJsonSchemas[K]>): void => {
    Object.defineProperty(schemas, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = convert()
        Object.defineProperty(schemas, key, { value, enumerable: true, writable: true })
        return value
      },
    })
  }
  if (config.type === 'event' && config.input) {
    const { input } = config
    convertOnRead('input', () => toJsonSchema(input))
  }
  if (config.type === 'api' && config.bodySchema) {
    const { bodySchema } = config
    convertOnRead('body', () => toJsonSchema(bodySchema))
  }
  if (config.type === 'api' && config.responseSchema) {
    const { responseSchema } = config
    convertOnRead('responses', () => Object.fromEntries(Object.entries(responseSchema).map(([status, schema]) => [status, toJsonSchema(schema)])))
  }
  return schemas
}

/** How long a step file may take to import (its top-level code and awaits) before it is a load error. */
export const DEFAULT_LOAD_TIMEOUT_MS = 10_000

/** The import of a step or stream file, or a load error once it has taken `timeoutMs`: a top-level await that never settles. */
async function importWithin(importer: ModuleImporter, file: string, relativeFile: string, timeoutMs: number): Promise<Record<string, unknown>> {
  await importer.ready?.(file)
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new StepConfigError(
          file,
          `Cannot load ${relativeFile}: its import did not finish within ${timeoutMs / 1000} s (a top-level await that never settles?). Fix the file, or raise MOTIA_LOAD_TIMEOUT_MS; the other files keep loading.`,
        ),
      )
    }, timeoutMs)
  })
  try {
    return await Promise.race([importer.import(file), timedOut])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Imports a step or stream file: its exports, or a StepConfigError naming the file, the line and the
 * fix, also when the import takes longer than `timeoutMs`.
 */
export async function importProjectFile(
  importer: ModuleImporter,
  file: string,
  relativeFile: string,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  try {
    return await importWithin(importer, file, relativeFile, timeoutMs)
  } catch (error) {
    // Importers that know the language (Python, Ruby) word their own load errors.
    if (error instanceof StepConfigError) throw error
    const line = findErrorLine(error, file)
    const where = line ? `${relativeFile}:${line}` : relativeFile
    const reason = toErrorMessage(error).split('\n').filter((part) => part.trim() && !part.startsWith('Transform failed'))
    const detail = (reason[0] ?? 'unknown error').replace(/^.*?:\d+:\d+: (ERROR: )?/, '')
    throw new StepConfigError(file, `Cannot load ${where}: ${detail}. Fix the file; the other steps keep running.`, {
      cause: error,
      line,
    })
  }
}

/**
 * Imports one step file and validates its exports; throws StepConfigError naming file, line and fix,
 * also when the import takes longer than `timeoutMs`.
 */
export async function loadStep(
  file: string,
  projectDir: string,
  importer: ModuleImporter,
  timeoutMs = DEFAULT_LOAD_TIMEOUT_MS,
): Promise<Step> {
  const relativeFile = relative(projectDir, file)
  // Read only to place a config error on its line: a valid step never needs it.
  const source = (): string => readFileSync(file, 'utf8')
  const exports = await importProjectFile(importer, file, relativeFile, timeoutMs)
  // CommonJS files that assign module.exports = { config, handler } arrive as `default` too.
  const mod = (exports['config'] ? exports : (exports['default'] as Record<string, unknown> | undefined)) ?? exports
  if (mod['config'] === undefined) {
    throw new StepConfigError(file, `${relativeFile} exports no config. Export \`config\` (and \`handler\`) from the step file.`)
  }
  const parsed = stepConfigSchema.safeParse(mod['config'])
  if (!parsed.success) throw configError(file, relativeFile, source(), parsed.error.issues)
  // zod parses into a copy; keep the user's own object so schema instances stay untouched.
  const config = mod['config'] as StepConfig
  const handler = mod['handler']
  if (config.type !== 'noop' && typeof handler !== 'function') {
    throw new StepConfigError(
      file,
      `${relativeFile} (step "${config.name}") exports no handler function. Export \`handler\` from the step file.`,
    )
  }
  const step = toStep(file, relativeFile, config, handler as StepHandler | undefined)
  checkFlowControl(step, source)
  return step
}
