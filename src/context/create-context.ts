import { MotiaError } from '../errors.ts'
import type { RootLogger } from '../logger/create-logger.ts'
import { type ActivityFeed, type Origin, toObservedState } from '../runtime/activity.ts'
import type { Step } from '../steps/step.ts'
import type { StreamsContext } from '../streams/streams-context.ts'
import type { FlowContextStateStreams } from '../streams/stream-types.ts'
import type { EmitEvent, FlowContext, Logger, StateManager } from '../types.ts'
import type { Emitter } from './emitter.ts'

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
 * busy fan-out never log, and binding costs more than the rest of the context.
 */
export function createContext(
  deps: ContextDeps,
  step: Step,
  traceId: string,
  abort?: { readonly aborted: boolean },
  jobId?: string,
): FlowContext {
  let logger: Logger | undefined
  const origin: Origin = jobId ? { traceId, step, jobId } : { traceId, step }
  return {
    traceId,
    state: toObservedState(deps.state, deps.feed, step, traceId, jobId),
    get streams() {
      // The streams the project declares; types.d.ts names them for the type checker.
      return deps.streams.forInvocation(step, traceId, jobId) as unknown as FlowContextStateStreams
    },
    get logger() {
      logger ??= deps.logger.child({ traceId, step: step.name, flows: step.flows })
      return logger
    },
    emit(event: EmitEvent) {
      if (abort?.aborted) {
        return Promise.reject(
          new MotiaError(
            'ATTEMPT_ABANDONED',
            `Step "${step.name}" emitted "${event.topic}" after its attempt timed out; the emit was dropped. Make the handler finish within its timeout.`,
          ),
        )
      }
      return deps.emitter(event, origin)
    },
  }
}
