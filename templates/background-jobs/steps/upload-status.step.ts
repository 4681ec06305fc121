import { defineStep } from 'motia-like'
import type { Upload } from './upload-record.ts'

export const { config, handler } = defineStep(
  {
    type: 'api',
    name: 'UploadStatus',
    description: 'Reports the status of an upload.',
    method: 'GET',
    path: '/uploads/:id',
    emits: [],
    flows: ['uploads'],
  },
  async (req, { state }) => {
    const id = req.pathParams['id'] ?? ''
    const upload = await state.get<Upload>('uploads', id)
    return upload ? { status: 200, body: upload } : { status: 404, body: { error: `No upload with id "${id}"` } }
  },
)
