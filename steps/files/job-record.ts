import type { StateManager } from 'motia-like'

/** What the demo keeps per upload in the `jobs` state group. */
export interface JobRecord {
  jobId: string
  filename: string
  status: 'queued' | 'processing' | 'retrying' | 'completed'
  progress: number
  attempts?: number
  pages?: number
  error?: string
  createdAt: number
  completedAt?: number
}

/** Applies a change to a job record and stores it. */
export async function updateJob(
  state: StateManager,
  jobId: string,
  change: (current: JobRecord) => Partial<JobRecord>,
): Promise<JobRecord> {
  const current = await state.get<JobRecord>('jobs', jobId)
  if (!current) throw new Error(`No job record for ${jobId}`)
  const next = { ...current, ...change(current) }
  await state.set('jobs', jobId, next)
  return next
}
