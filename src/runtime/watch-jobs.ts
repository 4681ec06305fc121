import { toErrorMessage } from '../errors.ts'
import type { RootLogger } from '../logger/create-logger.ts'
import type { Queue } from '../queue/queue.ts'

/** Logs what a user needs to see of jobs: failed attempts and jobs moved to the dead-letter queue. */
export function watchJobs(queue: Queue, logger: RootLogger): () => void {
  // Only failures: the queue then builds no event for the jobs that start and complete.
  return queue.onEvent(
    (event) => {
      if (event.type !== 'failed') return
      const { job } = event
      const log = logger.child({ traceId: job.traceId, step: job.step })
      const where = `Job ${job.id} of step "${job.step}" (topic "${job.topic}")`
      const reason = toErrorMessage(event.error)
      if (event.willRetry) {
        log.warn(`${where} failed attempt ${job.attempts}/${job.maxAttempts}: ${reason}. Retrying.`, { jobId: job.id })
      } else {
        log.error(`${where} is dead after ${job.attempts} attempt(s): ${reason}. Replay it with POST /__motia/jobs/${job.id}/retry.`, {
          jobId: job.id,
        })
      }
    },
    ['failed'],
  )
}
