import { MotiaError } from '../errors.ts'
import type { RootLogger } from '../logger/create-logger.ts'
import { type ActivityFeed, toObservedState } from '../runtime/activity.ts'
import type { Step } from '../steps/step.ts'
import type { StreamsContext } from '../streams/streams-context.ts'
import type { FlowContextStateStreams } from '../streams/stream-types.ts'
import type { EmitEvent, FlowContext, StateManager } from '../types.ts'
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
 * Builds the context of one handler invocation: a plain object of fields, so it is cheap to make
 * (an object literal with getters costs twenty times as much) and a handler that spreads it
 * (`{ ...ctx }`) sees every field. The logger's pino child is made on its first line (see
 * create-logger.ts). Errors of its emit and state calls are marked with the step, trace and job (see
 * fault-origin.ts).
 */
export function createContext(
  deps: ContextDeps,
  step: Step,
  traceId: string,
  attempt?: ContextAttempt,
  jobId?: string,
): FlowContext {
  const origin: CallOrigin = jobId ? { traceId, step, jobId, attempt } : { traceId, step }
  // Whether activity was heard when the context was made decides whether its state and stream writes are reported.
  const observed = deps.feed.observed
  const emit = (event: EmitEvent): Promise<void> => {
    if (attempt?.aborted) {
      const error = new MotiaError(
        'ATTEMPT_ABANDONED',
        `Step "${step.name}" emitted "${event.topic}" after its attempt timed out; the emit was dropped. Make the handler finish within its timeout.`,
      )
      return Promise.reject(markFault(error, origin))
    }
    return deps.emitter(event, origin)
  }
  const state = toObservedState(deps.state, deps.feed, origin, observed)
  const logger = deps.logger.child({ traceId, step: step.name, flows: step.flows })
  // The streams the project declares; types.d.ts names them for the type checker. With none, there is nothing to report.
  if (!observed || deps.streams.isEmpty()) {
    return { traceId, state, logger, emit, streams: deps.streams.forInvocation(step, traceId, jobId) as unknown as FlowContextStateStreams }
  }
  // Observed, each context gets a copy of the streams that reports its writes: made on first use, as most handlers touch none.
  let streams: FlowContextStateStreams | undefined
  return {
    traceId,
    state,
    logger,
    emit,
    get streams() {
      return (streams ??= deps.streams.forInvocation(step, traceId, jobId) as unknown as FlowContextStateStreams)
    },
  }
}
