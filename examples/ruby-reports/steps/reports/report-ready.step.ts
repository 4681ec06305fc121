import type { EventConfig, EventHandler } from 'motia-like'
import { z } from 'zod'

const input = z.object({ reportId: z.string(), url: z.string() })

export const config = {
  type: 'event',
  name: 'ReportReady',
  description: 'Marks a report ready with its download URL.',
  subscribes: ['report.generated'],
  emits: [],
  input,
  flows: ['reports'],
} satisfies EventConfig

export const handler: EventHandler<z.infer<typeof input>> = async ({ reportId, url }, { state }) => {
  await state.set('reports', reportId, { reportId, status: 'ready', url })
}
