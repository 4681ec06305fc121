import type { StateManager } from 'motia-like'

/** What the project keeps per upload in the `uploads` state group. */
export interface Upload {
  id: string
  filename: string
  sizeBytes: number
  status: 'queued' | 'processing' | 'retrying' | 'completed' | 'failed'
  attempts: number
  pages?: number
  error?: string
  createdAt: number
  finishedAt?: number
}

/** Applies a change to an upload record and stores it. */
export async function updateUpload(state: StateManager, id: string, change: (current: Upload) => Partial<Upload>): Promise<Upload> {
  const current = await state.get<Upload>('uploads', id)
  if (!current) throw new Error(`No upload record for ${id}`)
  const next = { ...current, ...change(current) }
  await state.set('uploads', id, next)
  return next
}
