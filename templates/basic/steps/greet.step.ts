import type { EventConfig, EventHandler } from 'motia-like'
import { z } from 'zod'

const input = z.object({ name: z.string() })

export const config = {
  type: 'event',
  name: 'Greet',
  subscribes: ['greeting.requested'],
  emits: [],
  input,
  flows: ['hello'],
} satisfies EventConfig

export const handler: EventHandler<z.infer<typeof input>> = async ({ name }, { state, logger }) => {
  await state.set('greetings', name, { greetedAt: Date.now() })
  logger.info(`Hello, ${name}`)
}
