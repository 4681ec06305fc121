import { defineStep } from 'motia-like'
import { z } from 'zod'

/** Stands in for the partner's HTTP API, which accepts 100 calls a minute. */
async function callPartnerApi(file: { id: string; filename: string; pages: number }): Promise<void> {
  await Promise.resolve(file)
}

export const { config, handler } = defineStep(
  {
    type: 'event',
    name: 'NotifyPartner',
    description: "Tells a partner API about each processed file, within the API's limit of 100 calls a minute.",
    subscribes: ['file.processed'],
    emits: [],
    input: z.object({ id: z.string(), filename: z.string(), pages: z.number() }),
    flows: ['uploads'],
    infrastructure: {
      // Calls over the limit wait (as pending jobs) and start as soon as the last minute allows;
      // retries count too. The window is kept in .motia-like/data.db, or shared on Redis by every process.
      queue: { maxRetries: 5, rateLimit: { limit: 100, periodMs: 60_000 } },
    },
  },
  async (input, { logger }) => {
    await callPartnerApi(input)
    logger.info('Partner notified', { id: input.id })
  },
)
