import { MotiaError } from '../errors.ts'
import type { AttemptAbort } from './attempt-abort.ts'
import { type Batcher, checkBatchOptions } from './batcher.ts'
import type { Debouncer } from './debouncer.ts'
import type { FlowGate } from './flow-gate.ts'
import type { ConsumerOptions, Job, JobHandler } from './queue.ts'
import type { Throttler } from './throttler.ts'

/** A step's consumer as the dispatcher keeps it: options, handler and flow control. */
export interface Consumer {
  options: ConsumerOptions
  handler: JobHandler
  /** Its flow control; OPEN_GATE without any. Attempts report to the gate of the consumer that started them. */
  gate: FlowGate
  throttler: Throttler
  debouncer: Debouncer
  /** Forms its batches; null when the step runs one job per attempt. */
  batcher: Batcher | null
}

/** A step's consumer and its attempts in flight, which outlive a replaced consumer. */
export interface StepSlot {
  name: string
  consumer: Consumer | null
  running: number
  paused: boolean
  /** When the step's shared rate limit opens again, while it holds jobs back; else null. */
  heldUntil: number | null
}

/** One attempt in flight: of one job, or of every job of a batch. */
export interface Attempt {
  /** The job, or the first job of the batch. */
  job: Job
  /** Every job of the attempt on a batch step (`job` first); null otherwise. */
  batch: readonly Job[] | null
  slot: StepSlot
  consumer: Consumer
  abort: AttemptAbort
  deadline: number
  timeoutMs: number
  done: boolean
}

/** Refuses consumer options no queue can honour: concurrency below 1, a timeout that is not positive, a batch out of bounds or mixed with per-job flow control. */
export function checkConsumerOptions(step: string, options: ConsumerOptions): void {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new MotiaError(
      'QUEUE_CONSUMER_INVALID',
      `Step "${step}" has concurrency ${options.concurrency}. Set infrastructure.queue.concurrency to a whole number of at least 1.`,
    )
  }
  if (!(options.timeoutMs > 0)) {
    throw new MotiaError(
      'QUEUE_CONSUMER_INVALID',
      `Step "${step}" has timeout ${options.timeoutMs} ms. Set infrastructure.handler.timeout to a positive number.`,
    )
  }
  checkBatchOptions(step, options)
}

/** The jobs an attempt runs. */
export const jobsOf = (attempt: Attempt): readonly Job[] => attempt.batch ?? [attempt.job]
