/**
 * Where a failed context call came from. A handler that does not await `ctx.emit` or a state call
 * leaves its rejection to the process; the error carries the step, trace and job that made the call,
 * so whoever owns the process can log it against them and fail the attempt that is still running.
 */
import type { Origin } from '../runtime/activity.ts'

/** The attempt of a job a context serves (the queue's AttemptAbort). */
export interface ContextAttempt {
  /** True once the attempt timed out or was given up. */
  readonly aborted: boolean
  /** Fails the attempt with `error` if it is still running; later calls do nothing. */
  fail(error: unknown): void
  /** The slot of the span tracing the attempt, or -1 (see AttemptAbort.span). */
  span: number
}

/** Who made a context call: the trace, and the step, job and attempt when a handler made it. */
export interface CallOrigin extends Origin {
  readonly attempt?: ContextAttempt
}

const origins = new WeakMap<object, CallOrigin>()

/** Remembers that `error` came from a call made at `origin` (primitives cannot be remembered) and returns it. */
export function markFault<E>(error: E, origin: CallOrigin): E {
  if (typeof error === 'object' && error !== null && !origins.has(error)) origins.set(error, origin)
  return error
}

/** Where a rejection or exception came from, when a context call made it. */
export function toFaultOrigin(error: unknown): CallOrigin | undefined {
  return typeof error === 'object' && error !== null ? origins.get(error) : undefined
}
