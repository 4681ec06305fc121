import type { EventConfig, Handlers } from 'motia-like'
import { z } from 'zod'

export const config = {
  type: 'event',
  name: 'AnnounceTask',
  description: 'Tells every page of the board that a task was added: a custom event, not stored.',
  subscribes: ['task.created'],
  input: z.object({ board: z.string(), id: z.string(), title: z.string() }),
  emits: [],
  flows: ['tasks'],
} satisfies EventConfig

export const handler: Handlers['AnnounceTask'] = async (input, { streams }) => {
  await streams.tasks.send({ groupId: input.board }, { type: 'activity', data: { message: `Added "${input.title}"` } })
}
