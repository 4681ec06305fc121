import { defineStep, NonRetriableError } from 'motia-like'
import { z } from 'zod'
import { updateUpload } from './upload-record.ts'

export const { config, handler } = defineStep(
  {
    type: 'event',
    name: 'ProcessFile',
    description: 'Processes an uploaded file in the background; a failed attempt is retried with backoff.',
    subscribes: ['file.uploaded'],
    emits: ['file.processed'],
    input: z.object({ id: z.string(), filename: z.string(), sizeBytes: z.number() }),
    flows: ['uploads'],
    infrastructure: {
      handler: { timeout: 30 },
      queue: { maxRetries: 3, concurrency: 5, backoff: { baseMs: 1000, maxMs: 30_000 } },
    },
  },
  async (input, { emit, state, logger }) => {
    const upload = await updateUpload(state, input.id, (current) => ({ status: 'processing', attempts: current.attempts + 1 }))
    if (input.filename.endsWith('.exe')) {
      await updateUpload(state, input.id, () => ({ status: 'failed', error: 'Executable files are not accepted' }))
      // No retry can fix this: the job goes straight to the dead-letter queue.
      throw new NonRetriableError(`${input.filename}: executable files are not accepted`)
    }
    // Stands in for a storage or conversion service that fails now and then: the queue retries the job.
    if (input.filename.startsWith('flaky-') && upload.attempts === 1) {
      await updateUpload(state, input.id, () => ({ status: 'retrying', error: 'Storage was not ready' }))
      throw new Error('Storage was not ready; the job will be retried')
    }
    const pages = Math.max(1, Math.ceil(input.sizeBytes / 4096))
    await updateUpload(state, input.id, () => ({ status: 'completed', pages, error: undefined, finishedAt: Date.now() }))
    logger.info('File processed', { id: input.id, pages, attempt: upload.attempts })
    await emit({ topic: 'file.processed', data: { id: input.id, filename: input.filename, pages } })
  },
)
