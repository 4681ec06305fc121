import { readFile } from 'node:fs/promises'
import type { ApiRouteConfig, Handlers } from 'motia-like'

const types: Record<string, string> = { 'index.html': 'text/html; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8' }

export const config = {
  type: 'api',
  name: 'Page',
  description: 'Serves the realtime page: GET / and GET /app.js from public/.',
  method: 'GET',
  path: '/{:file}',
  emits: [],
  flows: ['tasks'],
} satisfies ApiRouteConfig

export const handler: Handlers['Page'] = async (req) => {
  const file = req.pathParams['file'] ?? 'index.html'
  const type = types[file]
  if (!type) return { status: 404, body: { error: `No file ${file}.` } }
  const body = await readFile(new URL(`../public/${file}`, import.meta.url), 'utf8')
  return { status: 200, body, headers: { 'content-type': type } }
}
