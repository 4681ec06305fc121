import { networkInterfaces } from 'node:os'
import { describe, expect, it } from 'vitest'
import { copyFixture, fixture, startFixture } from './helpers/start-fixture.ts'

/** An address of this machine that is not loopback, so the server treats the test as a network caller. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === 'IPv4' && !address.internal)?.address

describe('GET /__motia/health', () => {
  it('reports the SQLite backend in full to a loopback caller', async () => {
    const project = copyFixture('runtime')
    const app = await startFixture(project.dir, { mode: 'start', memory: false })
    try {
      const { status, body } = await app.json('/__motia/health')
      expect(status).toBe(200)
      expect(body).toMatchObject({ status: 'ok', steps: expect.any(Number), errors: 0, backends: [{ name: 'sqlite', ok: true }] })
    } finally {
      await app.close()
      project.remove()
    }
  })
})

describe.skipIf(!outside)('GET /__motia/health seen from the network', () => {
  it('answers a caller without the token with the status alone, and one with it in full', async () => {
    const app = await startFixture(fixture('runtime'), { mode: 'start', adminToken: 's3cret', host: outside as string })
    try {
      const bare = await app.json('/__motia/health')
      expect(bare).toMatchObject({ status: 200, body: { status: 'ok' } })
      expect(Object.keys(bare.body as object)).toEqual(['status'])
      const full = await app.json('/__motia/health', { headers: { authorization: 'Bearer s3cret' } })
      expect(full.body).toMatchObject({ status: 'ok', backends: [{ name: 'memory', ok: true }] })
    } finally {
      await app.close()
    }
  })
})

describe('POST /emit with an idempotency key', () => {
  it('queues an emit sent twice with the same key once, so a client may retry after a 503', async () => {
    const app = await startFixture(fixture('runtime'))
    try {
      const emit = (key: unknown) => app.json('/emit', { method: 'POST', body: JSON.stringify({ topic: 'tick.happened', data: {}, idempotencyKey: key }) })
      expect((await emit('tick-1')).status).toBe(200)
      expect((await emit('tick-1')).status).toBe(200)
      expect((await emit('tick-2')).status).toBe(200)
      await app.runtime.queue.drain()
      const { body } = await app.json<{ total: number }>('/__motia/jobs?step=Tock')
      expect(body.total).toBe(2)
      const refused = await emit('')
      expect(refused.status).toBe(400)
      expect(refused.body).toMatchObject({ error: expect.stringMatching(/"idempotencyKey" must be a non-empty string/) })
    } finally {
      await app.close()
    }
  })
})
