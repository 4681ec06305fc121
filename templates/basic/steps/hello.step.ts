import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { z } from 'zod'

const bodySchema = z.object({ name: z.string().min(1) })

export const config = {
  type: 'api',
  name: 'SayHello',
  method: 'POST',
  path: '/hello',
  bodySchema,
  emits: ['greeting.requested'],
  flows: ['hello'],
} satisfies ApiRouteConfig

export const handler: ApiRouteHandler<z.infer<typeof bodySchema>> = async (req, { emit }) => {
  await emit({ topic: 'greeting.requested', data: { name: req.body.name } })
  return { status: 202, body: { queued: true } }
}
