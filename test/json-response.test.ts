import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RawResponse, rawRequest } from './helpers/raw-request.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

const BODY = { message: 'hello world', items: [1, 2, 3] }

let app: TestApp
let bare: Server
let bareUrl: string
beforeAll(async () => {
  app = await startFixture(fixture('responses'), { mode: 'start' })
  // What express itself answers for the same body: the API step must answer the same headers.
  const reference = express()
  reference.disable('x-powered-by')
  reference.get('/json', (req, res) => {
    if (typeof req.query['type'] === 'string') res.set('content-type', req.query['type'])
    res.json(BODY)
  })
  reference.post('/respond/buffer', (_req, res) => {
    res.set('content-type', 'application/octet-stream').send(Buffer.from('bytes'))
  })
  bare = await new Promise<Server>((resolve) => {
    const server = reference.listen(0, '127.0.0.1', () => resolve(server))
  })
  bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => bare.close(resolve))
  await app.close()
})

/** Status, body and headers of an answer, without those that differ by time or request (fetch would add no-cache to a conditional request). */
async function answer(baseUrl: string, path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const { status, body, headers } = await rawRequest(baseUrl, path, init)
  const { date: _date, 'x-trace-id': _traceId, ...same } = headers
  return { status, body, headers: same }
}

describe('a JSON body answers as express res.json() does', () => {
  it('with the same content type, length and ETag', async () => {
    const ours = await answer(app.url, '/json')
    expect(ours).toEqual(await answer(bareUrl, '/json'))
    expect(ours.status).toBe(200)
    expect(JSON.parse(ours.body)).toEqual(BODY)
    expect(ours.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(ours.headers['etag']).toMatch(/^W\/"[0-9a-f]+-/)
  })

  it('keeps a content type the handler set, with the charset added', async () => {
    const path = `/json?type=${encodeURIComponent('application/problem+json')}`
    const ours = await answer(app.url, path)
    expect(ours).toEqual(await answer(bareUrl, path))
    expect(ours.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  })

  it('answers HEAD with the headers and no body, and a matching If-None-Match with 304', async () => {
    const head = await answer(app.url, '/json', { method: 'HEAD' })
    expect(head).toEqual(await answer(bareUrl, '/json', { method: 'HEAD' }))
    expect(head.body).toBe('')
    expect(head.headers['content-length']).toBe(String(JSON.stringify(BODY).length))
    const etag = String(head.headers['etag'])
    const cached = await answer(app.url, '/json', { headers: { 'if-none-match': etag } })
    expect(cached).toEqual(await answer(bareUrl, '/json', { headers: { 'if-none-match': etag } }))
    expect(cached.status).toBe(304)
    expect(cached.body).toBe('')
  })
})

describe('a Buffer body answers as express res.send() does', () => {
  it('with the same type, length and ETag', async () => {
    const ours = await answer(app.url, '/respond/buffer', { method: 'POST' })
    expect(ours).toEqual(await answer(bareUrl, '/respond/buffer', { method: 'POST' }))
    expect(ours.body).toBe('bytes')
    expect(ours.headers['etag']).toMatch(/^W\/"5-/)
  })
})
