import { randomUUID } from 'node:crypto'
import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { z } from 'zod'

const bodySchema = z.object({ userId: z.string().min(1), email: z.string().email() })

export const config = {
  type: 'api',
  name: 'RequestReport',
  description: 'Queues a report of a user; the Ruby step writes it and an email says where it is.',
  method: 'POST',
  path: '/reports',
  bodySchema,
  responseSchema: { 202: z.object({ reportId: z.string(), status: z.literal('queued') }) },
  emits: ['report.requested'],
  flows: ['reports'],
} satisfies ApiRouteConfig

export const handler: ApiRouteHandler<z.infer<typeof bodySchema>> = async (req, { emit, state }) => {
  const reportId = randomUUID()
  await state.set('reports', reportId, { reportId, status: 'queued' })
  await emit({ topic: 'report.requested', data: { reportId, ...req.body } })
  return { status: 202, body: { reportId, status: 'queued' } }
}
