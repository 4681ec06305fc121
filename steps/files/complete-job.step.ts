import type { EventConfig, EventHandler } from 'motia-like'
import { z } from 'zod'
import { updateJob } from './job-record.ts'

const input = z.object({ jobId: z.string(), pages: z.number() })

export const config = {
  type: 'event',
  name: 'CompleteJob',
  description: 'Marks a processed file as completed so the status endpoint reports it.',
  subscribes: ['file.processed'],
  emits: [],
  input,
  flows: ['file-processing'],
} satisfies EventConfig

export const handler: EventHandler<z.infer<typeof input>> = async ({ jobId, pages }, { state, logger }) => {
  await updateJob(state, jobId, () => ({ status: 'completed', progress: 100, pages, error: undefined, completedAt: Date.now() }))
  logger.info('Job completed', { jobId, pages })
}
