import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import type { JobRecord } from './job-record.ts'

export const config = {
  type: 'api',
  name: 'JobStatus',
  description: 'Reports the status and progress of an upload job.',
  method: 'GET',
  path: '/jobs/:jobId',
  emits: [],
  flows: ['file-processing'],
} satisfies ApiRouteConfig

export const handler: ApiRouteHandler = async (req, { state }) => {
  const jobId = req.pathParams['jobId'] ?? ''
  const job = await state.get<JobRecord>('jobs', jobId)
  if (!job) return { status: 404, body: { error: `No job with id "${jobId}"` } }
  return { status: 200, body: job }
}
