import { Redis } from 'ioredis'
import { removeKeys } from '../src/backends/redis/redis-test-support.ts'
import type { StepFiles } from './project.ts'

/** Deletes the keys a Redis run left under its prefix. */
export async function removeRedisKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url)
  try {
    await removeKeys(client, prefix)
  } finally {
    await client.quit()
  }
}

/**
 * The stream bench project: a stream `bench`, and POST /stream-set {group, n, id?} whose handler
 * writes n items at once (ids i0…), or one item `id`; each item carries the moment the handler
 * wrote it (`sentAt`, ms since the epoch with sub-ms precision) for the latency rows.
 */
export function streamsProject(): StepFiles {
  return {
    'bench.stream.ts': `export const config = { name: 'bench', schema: { type: 'object' }, baseConfig: { storageType: 'default' } }
`,
    'stream-set.step.ts': `import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'

export const config = { type: 'api', name: 'StreamSet', method: 'POST', path: '/stream-set', emits: [] } satisfies ApiRouteConfig

const now = () => performance.timeOrigin + performance.now()

export const handler: ApiRouteHandler<{ group: string; n: number; id?: string }> = async (req, ctx) => {
  const { group, n, id } = req.body
  const streams = ctx.streams as unknown as Record<string, { set(g: string, id: string, data: unknown): Promise<unknown> }>
  const bench = streams['bench']!
  if (id !== undefined) await bench.set(group, id, { sentAt: now() })
  else await Promise.all(Array.from({ length: n }, (_, i) => bench.set(group, 'i' + i, { n: i, sentAt: now() })))
  return { status: 202, body: { n } }
}
`,
  }
}

/**
 * A bare \`ws\` server on \`node:http\`: POST /stream-set {group, n, id?} broadcasts to every client the
 * frames the stream server would send for the same writes (same shape, same size, one JSON.stringify each).
 */
export const bareWsSource = `
const http = require('node:http')
const { WebSocketServer } = require('ws')
const server = http.createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', () => {
    const { group, n, id } = JSON.parse(body || '{}')
    const ids = id !== undefined ? [id] : Array.from({ length: n }, (_, i) => 'i' + i)
    ids.forEach((itemId, i) => {
      const data = id !== undefined ? { sentAt: performance.timeOrigin + performance.now(), id: itemId } : { n: i, sentAt: performance.timeOrigin + performance.now(), id: itemId }
      const text = JSON.stringify({ timestamp: Date.now(), streamName: 'bench', groupId: group, id: itemId, event: { type: 'update', data } })
      for (const client of wss.clients) if (client.readyState === 1) client.send(text)
    })
    res.writeHead(202, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ n }))
  })
})
const wss = new WebSocketServer({ server, perMessageDeflate: false })
wss.on('connection', (socket) => socket.on('message', (message) => {
  const { data } = JSON.parse(message.toString())
  socket.send(JSON.stringify({ timestamp: Date.now(), streamName: data.streamName, groupId: data.groupId, event: { type: 'sync', data: [] } }))
}))
server.listen(0, '127.0.0.1', () => console.log('ready at http://127.0.0.1:' + server.address().port))
`
