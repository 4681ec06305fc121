import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeStep } from '../graph/make-step.fixture.ts'
import { createApiSteps } from '../runtime/api-steps.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import { createFeed } from '../feed.ts'
import type { ApiRouteMethod, FlowContext } from '../types.ts'
import { createRouteTable } from './route-table.ts'

/** An API step answering with its own name and the path params it got. */
function route(name: string, method: ApiRouteMethod, path: string) {
  const step = makeStep({ name, type: 'api', method, path })
  step.handler = async (req: { pathParams: Record<string, string> }) => ({ status: 200, body: { step: name, params: req.pathParams } })
  return step
}

const apiSteps = createApiSteps()
for (const step of [
  route('Plain', 'GET', '/plain'),
  route('PlainPost', 'POST', '/plain'),
  route('Slashed', 'GET', '/slashed/'),
  route('Files', 'GET', '/files'),
  // Tried before /files (no parameters, longer), and matches /files too.
  route('FilesJson', 'GET', '/files{.json}'),
  route('Item', 'GET', '/items/:id'),
  route('ItemsNew', 'GET', '/items/new'),
]) {
  apiSteps.mount(step)
}
const runtime = {
  apiSteps,
  invocations: createFeed(() => {}),
  createContext: (_step: unknown, traceId: string) => ({ traceId }) as FlowContext,
} as unknown as Runtime

let base = ''
let server: ReturnType<ReturnType<typeof express>['listen']>
beforeAll(async () => {
  const app = express()
  app.use(createRouteTable(runtime).handle)
  app.use((_req, res) => {
    res.status(404).json({ step: null })
  })
  server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

async function servedBy(method: string, path: string): Promise<{ status: number; step: string | null; params?: unknown }> {
  const response = await fetch(`${base}${path}`, { method })
  const text = await response.text()
  return { status: response.status, ...(text.startsWith('{') ? (JSON.parse(text) as { step: string | null }) : { step: null }) }
}

describe('the API route table', () => {
  it('serves a plain path by method, in any case and with one trailing slash, as express routes do', async () => {
    expect(await servedBy('GET', '/plain')).toMatchObject({ status: 200, step: 'Plain', params: {} })
    expect(await servedBy('POST', '/plain')).toMatchObject({ status: 200, step: 'PlainPost' })
    expect(await servedBy('GET', '/PLAIN')).toMatchObject({ status: 200, step: 'Plain' })
    expect(await servedBy('GET', '/plain/')).toMatchObject({ status: 200, step: 'Plain' })
    expect(await servedBy('GET', '/plain//')).toMatchObject({ status: 404 })
    expect(await servedBy('GET', '/slashed')).toMatchObject({ status: 200, step: 'Slashed' })
    expect(await servedBy('DELETE', '/plain')).toMatchObject({ status: 404 })
  })

  it('answers HEAD from the GET route and OPTIONS with the allowed methods', async () => {
    const head = await fetch(`${base}/plain`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    const options = await fetch(`${base}/plain`, { method: 'OPTIONS' })
    expect(options.status).toBe(200)
    expect(options.headers.get('allow')).toBe('GET, HEAD, POST')
  })

  it('keeps route precedence: a pattern tried first wins over a plain path it also matches', async () => {
    expect(await servedBy('GET', '/files')).toMatchObject({ step: 'FilesJson' })
    expect(await servedBy('GET', '/files.json')).toMatchObject({ step: 'FilesJson' })
    expect(await servedBy('GET', '/items/new')).toMatchObject({ step: 'ItemsNew' })
    expect(await servedBy('GET', '/items/7')).toMatchObject({ step: 'Item', params: { id: '7' } })
  })
})
