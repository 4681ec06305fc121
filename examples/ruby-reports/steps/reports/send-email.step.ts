import type { EventConfig, EventHandler } from 'motia-like'
import { z } from 'zod'

const input = z.object({ to: z.string(), subject: z.string(), attachmentUrl: z.string() })

export const config = {
  type: 'event',
  name: 'SendEmail',
  description: 'Sends an email; here it lands in the outbox state group.',
  subscribes: ['email.send'],
  emits: [],
  input,
  flows: ['reports'],
} satisfies EventConfig

export const handler: EventHandler<z.infer<typeof input>> = async (email, { state, logger }) => {
  await state.set('outbox', `${email.to}:${email.attachmentUrl}`, email)
  logger.info('Email sent', { to: email.to, subject: email.subject })
}
