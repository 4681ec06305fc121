/**
 * What every backend refuses at enqueue, with the same error: a delay or priority that is not a
 * finite number, and event data that JSON cannot hold. SQLite and Redis store data as JSON, so the
 * memory queue (and the tester on it) keeps the JSON copy too and refuses what they refuse.
 */
import { toErrorMessage, ValidationError } from '../errors.ts'
import type { NewJob } from './queue.ts'

function refuse(newJob: NewJob, path: string, problem: string, fix: string): never {
  const message = `The event "${newJob.topic}" for step "${newJob.step}" ${problem}. ${fix}`
  throw new ValidationError(message, [{ path, message: problem }])
}

/** Throws a ValidationError when the job's delay or priority is not a finite number (delay 0 or more). */
export function checkNewJob(newJob: NewJob): void {
  const { delayMs, priority } = newJob
  if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) {
    refuse(newJob, 'delay', `has delay ${String(delayMs)}`, 'Set delay to a finite number of milliseconds, 0 or more, or leave it out.')
  }
  if (priority !== undefined && !Number.isFinite(priority)) {
    refuse(newJob, 'priority', `has priority ${String(priority)}`, 'Set priority to a finite number (higher runs first), or leave it out.')
  }
}

/** The job's data as the JSON text a store keeps (null for undefined), or a ValidationError naming event, step and cause. */
export function toJobDataJson(newJob: Pick<NewJob, 'step' | 'topic' | 'data'>): string | null {
  if (newJob.data === undefined) return null
  let json: string | undefined
  try {
    json = JSON.stringify(newJob.data)
  } catch (error) {
    refuse(
      newJob as NewJob,
      'data',
      `has data that cannot be stored as JSON (${toErrorMessage(error).split('\n')[0]})`,
      'Emit plain JSON data: no BigInt, no cycles, no toJSON that throws.',
    )
  }
  return json ?? null
}

/** The job's data as every durable store gives it back: a JSON copy (undefined stays undefined). */
export function toJobDataCopy(newJob: Pick<NewJob, 'step' | 'topic' | 'data'>): unknown {
  const json = toJobDataJson(newJob)
  return json === null ? undefined : (JSON.parse(json) as unknown)
}
