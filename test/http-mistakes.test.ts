import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest } from './helpers/raw-request.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('responses'), { mode: 'start' })
})
afterAll(() => app.close())

const warned = (text: string) => app.logs.some((line) => line.level === 'warn' && line.msg.includes(text))
const failedStep = (text: string) => app.logs.some((line) => line.level === 'error' && line.msg.includes('API step "Respond" (steps/responses.step.ts)') && line.msg.includes(text))

describe("a client's mistakes are 4xx with the reason, logged at warn", () => {
  it('answers a path with bad percent-encoding with 400', async () => {
    const response = await rawRequest(app.url, '/echo/%E0%A4%A', { method: 'POST' })
    expect(response.status).toBe(400)
    expect(JSON.parse(response.body).error).toMatch(/percent-encoding/)
    expect(warned('percent-encoding')).toBe(true)
  })

  it('answers a body that claims gzip and is not with 400, and reads real gzip', async () => {
    const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip' }
    const fake = await rawRequest(app.url, '/echo/x', { method: 'POST', headers, body: '{"a":1}' })
    expect(fake.status).toBe(400)
    expect(JSON.parse(fake.body).error).toMatch(/Content-Encoding: gzip but is not gzip data/)
    expect(warned('is not gzip data')).toBe(true)
    const real = await rawRequest(app.url, '/echo/x', { method: 'POST', headers, body: gzipSync('{"a":1}') })
    expect(JSON.parse(real.body)).toEqual({ name: 'x', body: { a: 1 } })
  })
})

describe("a handler's response that cannot be sent is a 500 naming the step", () => {
  it.each(['cyclic', 'bigint', 'function', 'symbol'])('refuses a %s body', async (kind) => {
    const response = await rawRequest(app.url, `/respond/${kind}`, { method: 'POST' })
    expect(response.status).toBe(500)
    expect(JSON.parse(response.body)).toEqual({ error: 'Internal server error', traceId: expect.any(String) })
    expect(failedStep(kind === 'cyclic' || kind === 'bigint' ? 'a body JSON cannot hold' : `a ${kind} as the body`)).toBe(true)
  })

  it.each(['status-1000', 'status-99', 'status-float', 'status-600'])('refuses %s', async (kind) => {
    const response = await rawRequest(app.url, `/respond/${kind}`, { method: 'POST' })
    expect(response.status).toBe(500)
    expect(failedStep('Return a whole number from 100 to 599')).toBe(true)
  })

  it('refuses a handler that returned no response', async () => {
    const response = await rawRequest(app.url, '/respond/nothing', { method: 'POST' })
    expect(response.status).toBe(500)
    expect(JSON.parse(response.body)).toEqual({ error: 'Internal server error', traceId: response.headers['x-trace-id'] })
    expect(failedStep('returned no response. Return { status, body } from the handler.')).toBe(true)
  })

  it('sends strings and Buffers as they are, and streams a Readable or a web ReadableStream', async () => {
    expect((await rawRequest(app.url, '/respond/text', { method: 'POST' })).body).toBe('plain text')
    expect((await rawRequest(app.url, '/respond/buffer', { method: 'POST' })).body).toBe('bytes')
    const streamed = await rawRequest(app.url, '/respond/stream', { method: 'POST' })
    expect(streamed.status).toBe(200)
    expect(streamed.body).toBe('streamed in parts')
    expect(streamed.headers['content-type']).toMatch(/^text\/plain/)
    const web = await rawRequest(app.url, '/respond/web-stream', { method: 'POST' })
    expect(web.status).toBe(200)
    expect(web.body).toBe('a web stream')
  })

  it('cuts the connection of a stream that fails midway and logs it with the step', async () => {
    const outcome = await rawRequest(app.url, '/respond/failing-stream', { method: 'POST' }).then(
      (response) => `answered ${response.status} ${response.body}`,
      () => 'connection cut',
    )
    expect(outcome).not.toMatch(/_readableState/)
    expect(app.logs.some((line) => line.level === 'error' && line.msg.includes('Respond') && line.msg.includes('disk gone'))).toBe(true)
  })
})
