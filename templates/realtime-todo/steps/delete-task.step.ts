import type { ApiRouteConfig, Handlers } from 'motia-like'

export const config = {
  type: 'api',
  name: 'DeleteTask',
  method: 'DELETE',
  path: '/boards/:board/tasks/:id',
  emits: [],
  flows: ['tasks'],
} satisfies ApiRouteConfig

export const handler: Handlers['DeleteTask'] = async (req, { streams }) => {
  const removed = await streams.tasks.delete(req.pathParams['board'] as string, req.pathParams['id'] as string)
  return removed ? { status: 200, body: removed } : { status: 404, body: { error: 'No such task.' } }
}
