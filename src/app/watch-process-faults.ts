import { toFaultOrigin } from '../context/fault-origin.ts'
import { toErrorMessage } from '../errors.ts'
import type { Logger } from '../types.ts'

/** What the owner of the process does with faults nobody caught. */
export interface ProcessFaultOptions {
  /** The logger of the moment: the server's once it runs (dev replaces it on a restart). */
  logger(): Logger
  /** Stops the server gracefully (running jobs are requeued), then ends the process with an error. */
  shutdown(reason: string): void
}

/** SQLite codes of a database that can no longer be trusted; nothing but a restart (or a repair) helps. */
const FATAL_CODES = /^SQLITE_(CORRUPT|NOTADB)/
const FATAL_MESSAGES = /allocation failed|out of memory/i

/** True for a fault the process cannot serve on after: a corrupt database, memory that ran out. */
export function isFatalFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && FATAL_CODES.test(code)) return true
  return FATAL_MESSAGES.test(toErrorMessage(error))
}

/**
 * Keeps the process serving through rejections and exceptions that step code let escape: a context
 * call not awaited (logged with its step, trace and job, and failing that job's attempt while it runs),
 * a floating promise, a throw in a timer. Only a fatal fault stops the server, gracefully. For the
 * process owner (the CLI), never for code embedding the runtime. Returns the function that stops it.
 */
export function watchProcessFaults(options: ProcessFaultOptions): () => void {
  const report = (kind: string, error: unknown): void => {
    try {
      const logger = options.logger()
      const message = toErrorMessage(error).replace(/\.$/, '')
      if (isFatalFault(error)) {
        logger.error(`${kind} the server cannot run on after: ${message}. Stopping; running jobs are queued again.`, { error })
        options.shutdown(message)
        return
      }
      const origin = toFaultOrigin(error)
      if (origin?.step) {
        const { step, traceId, jobId } = origin
        logger.error(
          `Step "${step.name}" (${step.relativeFile}) did not await a context call, which failed: ${message}. Await ctx.emit and ctx.state calls, or catch their errors.`,
          { step: step.name, traceId, ...(jobId ? { jobId } : {}), error },
        )
        origin.attempt?.fail(error)
        return
      }
      logger.error(
        `${kind} in step code: ${message}. The server keeps running; handle the error where the promise or timer callback is made.`,
        { error },
      )
    } catch {
      // The report itself must never be what stops the process.
    }
  }
  const onRejection = (reason: unknown): void => report('A promise rejected with nobody handling it', reason)
  const onException = (error: unknown): void => report('An exception nobody caught', error)
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  return () => {
    process.off('unhandledRejection', onRejection)
    process.off('uncaughtException', onException)
  }
}
