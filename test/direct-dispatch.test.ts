import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RawResponse, rawRequest } from './helpers/raw-request.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

// A request for a plain path skips express's dispatch (src/http/request-listener.ts); one for a
// parameterised path goes through the app and its Router. Both steps run the same handler.
let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('dispatch'), { mode: 'start', bodyLimit: '1kb' })
})
afterAll(() => app.close())

/** An answer without what differs by request: the date, the trace id, and in a 500 body its trace id and so its ETag. */
async function answer(path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  const { status, headers, body } = await rawRequest(app.url, path, { method: 'POST', ...init })
  const { date: _date, 'x-trace-id': traceId, ...same } = headers
  if (!body.includes(String(traceId))) return { status, headers: same, body }
  const { etag: _etag, ...rest } = same
  return { status, headers: rest, body: body.replace(String(traceId), '<trace>') }
}

/** The plain path's answer, after checking the Router's answer for the same request is the same. */
async function sameAnswer(query: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  const plain = await answer(`/answer${query}`, init)
  expect(plain).toEqual(await answer(`/answer/routed${query}`, init))
  return plain
}

const json = { 'content-type': 'application/json' }

describe('a plain-path step answers as one the Router serves', () => {
  it('with the parsed body, the raw body and the same headers', async () => {
    const ok = await sameAnswer('', { headers: json, body: '{"id":7}' })
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body)).toEqual({ received: { id: 7 }, raw: '{"id":7}' })
    const text = await sameAnswer('?kind=text')
    expect(text).toMatchObject({ status: 201, body: 'plain text', headers: { 'x-kind': 'text' } })
  })

  it('with the same 4xx for a malformed or too large body', async () => {
    const malformed = await sameAnswer('', { headers: json, body: '{"id":' })
    expect(malformed.status).toBe(400)
    expect(JSON.parse(malformed.body).error).toMatch(/Malformed JSON/)
    const large = await sameAnswer('', { headers: json, body: JSON.stringify({ pad: 'x'.repeat(2048) }) })
    expect(large.status).toBe(413)
  })

  it('with the same 500 and no stack for a handler that throws or returns nothing', async () => {
    for (const kind of ['throw', 'nothing']) {
      const failed = await sameAnswer(`?kind=${kind}`)
      expect(failed.status).toBe(500)
      expect(JSON.parse(failed.body)).toEqual({ error: 'Internal server error', traceId: '<trace>' })
    }
    const logged = app.logs.filter((entry) => entry.level === 'error').map((entry) => entry.msg)
    expect(logged.filter((msg) => msg.includes('API step "Plain"'))).toHaveLength(2)
    expect(logged.filter((msg) => msg.includes('API step "Routed"'))).toHaveLength(2)
  })
})
