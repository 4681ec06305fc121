import { readFile } from 'node:fs/promises'
import { relative } from 'node:path'
import { StepConfigError, toErrorMessage } from '../errors.ts'
import { JOB_DEFAULTS } from '../runtime/consumer-options.ts'
import { findFieldLine } from '../steps/error-location.ts'
import { isStreamFile } from '../steps/patterns.ts'
import type { ApiRequest, FlowContext, StepHandler } from '../types.ts'
import type { WorkerLanguage } from './language.ts'
import { WorkerLoadFailure } from './protocol.ts'
import type { WorkerPool, WorkerStepVersion } from './worker-pool.ts'

/** The worker interrupts a timed-out handler this long after the runtime failed its attempt. */
const CANCEL_MARGIN_MS = 1000

function timeoutOf(config: Record<string, unknown>): number {
  const infrastructure = config['infrastructure'] as { handler?: { timeout?: unknown } } | undefined
  const seconds = infrastructure?.handler?.timeout
  return (typeof seconds === 'number' ? seconds : JOB_DEFAULTS.timeoutSeconds) * 1000 + CANCEL_MARGIN_MS
}

/**
 * The handler a worker step gets in its Step record: a JavaScript function that runs the Python or
 * Ruby handler in the pool and serves its context calls through `ctx`, so the runtime treats it like
 * any other step. A cron handler takes only `ctx` (the worker passes `{}` first to an `(input, ctx)`).
 */
function toForwarder(pool: WorkerPool, step: WorkerStepVersion, config: Record<string, unknown>): StepHandler {
  if (config['type'] === 'cron') {
    return (ctx: FlowContext) => pool.invoke(step, { kind: 'cron', args: [], traceId: ctx.traceId }, ctx) as Promise<void>
  }
  if (config['type'] === 'api') {
    return (req: ApiRequest, ctx: FlowContext) =>
      pool.invoke(step, { kind: 'api', args: [req], traceId: ctx.traceId }, ctx) as never
  }
  const timeoutMs = timeoutOf(config)
  return (input: unknown, ctx: FlowContext) =>
    pool.invoke(step, { kind: 'event', args: [input], traceId: ctx.traceId, timeoutMs }, ctx) as Promise<void>
}

function toLoadError(file: string, relativeFile: string, source: string, error: unknown): StepConfigError {
  if (error instanceof WorkerLoadFailure && error.kind === 'config') {
    const field = /^config\.([\w.]+)/.exec(error.message)?.[1]?.split('.').findLast((part) => !/^\d+$/.test(part))
    const line = findFieldLine(source, field)
    const where = line ? `${relativeFile}:${line}` : relativeFile
    return new StepConfigError(file, `Invalid step config in ${where}: ${error.message}.`, { cause: error, line })
  }
  if (error instanceof WorkerLoadFailure) {
    const where = error.line ? `${relativeFile}:${error.line}` : relativeFile
    const detail = error.message.replace(/\.$/, '')
    const fix = error.kind === 'setup' ? 'The' : 'Fix the file; the'
    return new StepConfigError(file, `Cannot load ${where}: ${detail}. ${fix} other steps keep running.`, {
      cause: error,
      line: error.line,
    })
  }
  return new StepConfigError(file, `Cannot load ${relativeFile}: ${toErrorMessage(error)} The other steps keep running.`, {
    cause: error,
  })
}

/** Loads one Python or Ruby step file through its pool into the `{ config, handler }` a step module exports. */
export async function importWorkerStep(
  language: WorkerLanguage,
  pool: WorkerPool,
  projectDir: string,
  file: string,
): Promise<Record<string, unknown>> {
  const relativeFile = relative(projectDir, file)
  const source = await readFile(file, 'utf8')
  const loaded = await pool.load(file, source).catch((error: unknown) => {
    throw toLoadError(file, relativeFile, source, error)
  })
  const { config, hasHandler } = loaded.module
  const { defineConfig, defineHandler } = language
  if (!config) {
    throw new StepConfigError(file, `${relativeFile} defines no config. Define ${defineConfig} and ${defineHandler} in the step file.`)
  }
  if (!hasHandler) {
    if (config['type'] === 'noop' || isStreamFile(file)) return { config }
    throw new StepConfigError(
      file,
      `${relativeFile} (step "${String(config['name'])}") defines no handler function. Define ${defineHandler} in the step file.`,
    )
  }
  return { config, handler: toForwarder(pool, loaded.step, config) }
}
