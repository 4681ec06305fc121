import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { z } from 'zod'

const bodySchema = z.object({ name: z.string().min(1), value: z.number() })

export const config = {
  type: 'api',
  name: 'RecordMetric',
  description: 'Records one analytics metric of a user, which reports list.',
  method: 'POST',
  path: '/users/:userId/metrics',
  bodySchema,
  emits: [],
  flows: ['reports'],
} satisfies ApiRouteConfig

export const handler: ApiRouteHandler<z.infer<typeof bodySchema>> = async (req, { state }) => {
  const { name, value } = req.body
  await state.set(`analytics:${req.pathParams['userId']}`, name, { name, value })
  return { status: 204, body: null }
}
