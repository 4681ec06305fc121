import type { ApiRouteConfig, Handlers } from 'motia-like'
import { z } from 'zod'

export const config = {
  type: 'api',
  name: 'SayHello',
  description: 'Accepts a name and queues a greeting for it.',
  method: 'POST',
  path: '/hello',
  bodySchema: z.object({ name: z.string().min(1) }),
  responseSchema: { 202: z.object({ queued: z.boolean() }) },
  emits: ['greeting.requested'],
  flows: ['hello'],
} satisfies ApiRouteConfig

// Typed by types.d.ts, which `npm run dev` keeps current (or run `npm run types`).
export const handler: Handlers['SayHello'] = async (req, { emit }) => {
  await emit({ topic: 'greeting.requested', data: { name: req.body.name } })
  return { status: 202, body: { queued: true } }
}
