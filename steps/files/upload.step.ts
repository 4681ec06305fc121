import { randomUUID } from 'node:crypto'
import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { z } from 'zod'

const bodySchema = z.object({
  filename: z.string().min(1),
  sizeBytes: z.number().int().nonnegative().optional(),
})

export const config = {
  type: 'api',
  name: 'UploadFile',
  description: 'Accepts a file upload and queues it for processing; answers at once with a job id.',
  method: 'POST',
  path: '/upload',
  bodySchema,
  responseSchema: { 202: z.object({ jobId: z.string(), status: z.literal('queued') }) },
  emits: ['file.uploaded'],
  flows: ['file-processing'],
} satisfies ApiRouteConfig

export const handler: ApiRouteHandler<z.infer<typeof bodySchema>> = async (req, { emit, state, logger }) => {
  const { filename, sizeBytes } = req.body
  const jobId = randomUUID()
  await state.set('jobs', jobId, { jobId, filename, status: 'queued', progress: 0, attempts: 0, createdAt: Date.now() })
  await emit({ topic: 'file.uploaded', data: { jobId, filename, sizeBytes: sizeBytes ?? 0 } })
  logger.info('File queued for processing', { jobId, filename })
  return { status: 202, body: { jobId, status: 'queued' } }
}
