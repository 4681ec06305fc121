import { MotiaError } from '../errors.ts'
import type { RootLogger } from '../logger/create-logger.ts'
import { type ActivityFeed, toObservedState } from '../runtime/activity.ts'
import type { Step } from '../steps/step.ts'
import type { StreamsContext } from '../streams/streams-context.ts'
import type { FlowContextStateStreams } from '../streams/stream-types.ts'
import type { EmitEvent, FlowContext, Logger, StateManager } from '../types.ts'
import type { Emitter } from './emitter.ts'
import { type CallOrigin, type ContextAttempt, markFault } from './fault-origin.ts'

/** What every handler context of a runtime shares. */
export interface ContextDeps {
  emitter: Emitter
  state: StateManager
  logger: RootLogger
  feed: ActivityFeed
  streams: StreamsContext
}

/**
 * Builds the context of one handler invocation. The logger is bound lazily: most handlers of a
 * busy fan-out never log, and binding costs more than the rest of the context; the state and the
 * origin its calls are marked with are made on first use too. Errors of its emit and state calls
 * are marked with the step, trace and job (see fault-origin.ts).
 */
export function createContext(
  deps: ContextDeps,
  step: Step,
  traceId: string,
  attempt?: ContextAttempt,
  jobId?: string,
): FlowContext {
  let logger: Logger | undefined
  let state: StateManager | undefined
  let origin: CallOrigin | undefined
  const originOf = (): CallOrigin => (origin ??= jobId ? { traceId, step, jobId, attempt } : { traceId, step })
  // Whether someone listened when the context was made decides whether its state writes are reported.
  const observed = deps.feed.active
  return {
    traceId,
    get state() {
      state ??= toObservedState(deps.state, deps.feed, originOf(), observed)
      return state
    },
    get streams() {
      // The streams the project declares; types.d.ts names them for the type checker.
      return deps.streams.forInvocation(step, traceId, jobId) as unknown as FlowContextStateStreams
    },
    get logger() {
      logger ??= deps.logger.child({ traceId, step: step.name, flows: step.flows })
      return logger
    },
    emit(event: EmitEvent) {
      if (attempt?.aborted) {
        const error = new MotiaError(
          'ATTEMPT_ABANDONED',
          `Step "${step.name}" emitted "${event.topic}" after its attempt timed out; the emit was dropped. Make the handler finish within its timeout.`,
        )
        return Promise.reject(markFault(error, originOf()))
      }
      return deps.emitter(event, originOf())
    },
  }
}
