import type { ApiRouteConfig, Handlers } from 'motia-like'

export const config = {
  type: 'api',
  name: 'ToggleTask',
  description: 'Marks a task done, or not done again.',
  method: 'POST',
  path: '/boards/:board/tasks/:id/toggle',
  emits: [],
  flows: ['tasks'],
} satisfies ApiRouteConfig

export const handler: Handlers['ToggleTask'] = async (req, { streams }) => {
  const board = req.pathParams['board'] as string
  const task = await streams.tasks.get(board, req.pathParams['id'] as string)
  if (!task) return { status: 404, body: { error: 'No such task.' } }
  const { __motia: _tag, ...fields } = task
  return { status: 200, body: await streams.tasks.set(board, task.id, { ...fields, done: !task.done }) }
}
