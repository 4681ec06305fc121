import type { EventConfig, Handlers } from 'motia-like'
import { z } from 'zod'

export const config = {
  type: 'event',
  name: 'Greet',
  description: 'Greets a name in the background and records it.',
  subscribes: ['greeting.requested'],
  emits: [],
  input: z.object({ name: z.string() }),
  flows: ['hello'],
} satisfies EventConfig

export const handler: Handlers['Greet'] = async ({ name }, { state, logger }) => {
  await state.set('greetings', name, { name, greetedAt: Date.now() })
  logger.info(`Hello, ${name}`)
}
