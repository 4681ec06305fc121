import type { EventConfig, EventHandler } from 'motia-like'
import { z } from 'zod'
import { updateJob } from './job-record.ts'

const input = z.object({ jobId: z.string(), filename: z.string(), sizeBytes: z.number() })

export const config = {
  type: 'event',
  name: 'ProcessFile',
  description: 'Processes an uploaded file in steps, recording progress; unsupported files fail and are retried.',
  subscribes: ['file.uploaded'],
  emits: ['file.processed'],
  input,
  flows: ['file-processing'],
  infrastructure: {
    handler: { timeout: 30 },
    // The conversion service takes 10 files a second: uploads over that wait their turn as pending jobs.
    queue: { maxRetries: 2, backoff: { baseMs: 500, maxMs: 5000 }, rateLimit: { limit: 10, periodMs: 1000 } },
  },
} satisfies EventConfig

export const handler: EventHandler<z.infer<typeof input>> = async (input, { emit, state, logger }) => {
  const { jobId, filename } = input
  const job = await updateJob(state, jobId, (current) => ({ status: 'processing', attempts: (current.attempts ?? 0) + 1 }))
  // Executables are refused on purpose: the job retries, then lands in the dead-letter queue.
  if (filename.endsWith('.exe')) {
    await updateJob(state, jobId, () => ({ status: 'retrying', error: 'Executable files are not accepted' }))
    throw new Error(`Cannot process "${filename}": executable files are not accepted`)
  }
  for (const progress of [25, 50, 75, 100]) {
    await updateJob(state, jobId, () => ({ progress }))
  }
  const pages = Math.max(1, Math.round(input.sizeBytes / 4096))
  logger.info('File processed', { jobId, pages, attempt: job.attempts })
  await emit({ topic: 'file.processed', data: { jobId, pages } })
}
