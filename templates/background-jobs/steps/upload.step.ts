import { randomUUID } from 'node:crypto'
import { defineStep } from 'motia-like'
import { z } from 'zod'
import type { Upload } from './upload-record.ts'

// defineStep types req.body from bodySchema and the response from responseSchema: no generated file needed.
export const { config, handler } = defineStep(
  {
    type: 'api',
    name: 'UploadFile',
    description: 'Accepts a file and queues it for processing; answers at once with the upload id.',
    method: 'POST',
    path: '/uploads',
    bodySchema: z.object({ filename: z.string().min(1), sizeBytes: z.number().int().nonnegative() }),
    responseSchema: { 202: z.object({ id: z.string(), status: z.literal('queued') }) },
    emits: ['file.uploaded'],
    flows: ['uploads'],
  },
  async (req, { emit, state, logger }) => {
    const { filename, sizeBytes } = req.body
    const id = randomUUID()
    const upload: Upload = { id, filename, sizeBytes, status: 'queued', attempts: 0, createdAt: Date.now() }
    await state.set('uploads', id, upload)
    await emit({ topic: 'file.uploaded', data: { id, filename, sizeBytes } })
    logger.info('Upload queued', { id, filename })
    return { status: 202, body: { id, status: 'queued' } }
  },
)
