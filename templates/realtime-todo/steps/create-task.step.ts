import { randomUUID } from 'node:crypto'
import type { ApiRouteConfig, Handlers } from 'motia-like'
import { z } from 'zod'

export const config = {
  type: 'api',
  name: 'CreateTask',
  description: 'Adds a task to a board; every open page of the board shows it at once.',
  method: 'POST',
  path: '/boards/:board/tasks',
  bodySchema: z.object({ title: z.string().min(1).max(200) }),
  emits: ['task.created'],
  flows: ['tasks'],
} satisfies ApiRouteConfig

export const handler: Handlers['CreateTask'] = async (req, { streams, emit }) => {
  const board = req.pathParams['board'] as string
  const id = randomUUID()
  const task = await streams.tasks.set(board, id, { id, title: req.body.title, done: false, createdAt: new Date().toISOString() })
  await emit({ topic: 'task.created', data: { board, id, title: req.body.title } })
  return { status: 201, body: task }
}
