import type { MotiaError } from '../errors.ts'

/** Why no worker could run a call. */
export type WorkerFailure = 'NOT_FOUND' | 'WORKER_EXITED' | 'POOL_CLOSED'

/**
 * What differs between the languages whose steps run in worker processes: the interpreter, the runner
 * script, the environment, and how their errors and hints read. Pool, protocol, context calls and
 * the step importer are shared.
 */
export interface WorkerLanguage {
  /** As users read it: `Python`, `Ruby`. */
  name: string
  /** Log field carrying a worker's pid: `python`, `ruby`. */
  logKey: string
  /** True for a file of this language (a step file or a helper). */
  isFile(file: string): boolean
  /** Environment variable naming the interpreter, and the default. */
  interpreterEnv: string
  defaultInterpreter: string
  /** Environment variable with the number of worker processes. */
  workersEnv: string
  /** What to install when the interpreter is missing: `Python 3.9 or newer`. */
  requirement: string
  /** The command line and environment of one worker process. */
  spawn(interpreter: string, projectDir: string): { args: string[]; env: Record<string, string> }
  /** The error a handler's exception becomes (anything but NonRetriableError). */
  handlerError(type: string, message: string, trace?: string): MotiaError
  /** The error of a call no worker could run. */
  workerError(failure: WorkerFailure, message: string, options?: { cause?: unknown }): MotiaError
  /** How a step file defines its parts, for load errors: `` `config = {...}` ``. */
  defineConfig: string
  defineHandler: string
}
