import { Agent, request } from 'node:http'

/** Keep-alive connections, so polling measures the server and not TCP handshakes. */
const agent = new Agent({ keepAlive: true, maxSockets: 4 })

export interface HttpResult {
  status: number
  body: string
}

/** One HTTP request with an optional JSON body; resolves with the status and the body text. */
export function send(url: string, method = 'GET', json?: unknown): Promise<HttpResult> {
  const payload = json === undefined ? undefined : JSON.stringify(json)
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** GET returning parsed JSON; throws on a non-2xx status. */
export async function getJson<T>(url: string): Promise<T> {
  const { status, body } = await send(url)
  if (status < 200 || status >= 300) throw new Error(`GET ${url} answered ${status}: ${body.slice(0, 200)}`)
  return JSON.parse(body) as T
}

/**
 * Calls `check` back to back (one event-loop turn between calls, no sleeps) until it returns true.
 * Returns false when `timeoutMs` passes first.
 */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (performance.now() > deadline) return false
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/** Closes the idle keep-alive sockets so the bench process can exit. */
export function closeConnections(): void {
  agent.destroy()
}
