import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawRequest } from './helpers/raw-request.ts'
import { copyFixture, fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

const json = { 'content-type': 'application/json' }

async function ticks(app: TestApp): Promise<unknown> {
  return (await app.runtime.state.get('cron', 'ticks')) ?? 0
}

describe('built-in endpoints refuse other sites and non-JSON bodies (dev)', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startFixture(fixture('runtime'))
  })
  afterAll(() => app.close())

  it('refuses a form post to POST /emit, the cron trigger and bulk replay, and runs nothing', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const emit = await rawRequest(app.url, '/emit', { method: 'POST', headers: form, body: 'topic=order.created&data=x' })
    expect(emit.status).toBe(415)
    expect(JSON.parse(emit.body).error).toMatch(/application\/json/)
    const text = { 'content-type': 'text/plain' }
    expect((await rawRequest(app.url, '/__motia/cron/Tick/trigger', { method: 'POST', headers: text, body: '{}' })).status).toBe(415)
    expect((await rawRequest(app.url, '/__motia/jobs/retry', { method: 'POST', headers: form, body: 'status=dead' })).status).toBe(415)
    expect((await rawRequest(app.url, '/emit', { method: 'POST', body: '{"topic":"order.created"}' })).status).toBe(415)
    expect(await ticks(app)).toBe(0)
    expect((await app.runtime.queue.list({})).total).toBe(0)
  })

  it('refuses JSON posts whose Origin or Sec-Fetch-Site names another site', async () => {
    const host = new URL(app.url).host
    const body = JSON.stringify({ topic: 'order.created', data: {} })
    const fromOrigin = await rawRequest(app.url, '/emit', { method: 'POST', headers: { ...json, origin: 'https://evil.example' }, body })
    expect(fromOrigin.status).toBe(403)
    expect(JSON.parse(fromOrigin.body).error).toContain('evil.example')
    const fromFetch = await rawRequest(app.url, '/__motia/cron/Tick/trigger', { method: 'POST', headers: { ...json, 'sec-fetch-site': 'cross-site' } })
    expect(fromFetch.status).toBe(403)
    const otherPort = await rawRequest(app.url, '/__motia/cron/Tick/trigger', { method: 'POST', headers: { ...json, origin: 'http://127.0.0.1:1' } })
    expect(otherPort.status).toBe(403)
    expect((await rawRequest(app.url, '/emit', { method: 'POST', headers: { ...json, origin: 'null' }, body })).status).toBe(403)
    expect(await ticks(app)).toBe(0)
    expect(app.logs.some((line) => line.level === 'warn' && line.msg.includes('from another site'))).toBe(true)
    // The Workbench's own requests: same origin, JSON.
    const own = await rawRequest(app.url, '/__motia/cron/Tick/trigger', {
      method: 'POST',
      headers: { ...json, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
      body: '{}',
    })
    expect(own.status).toBe(200)
    expect(await ticks(app)).toBe(1)
  })

  it('answers admin data only at a loopback or IP-address Host, so DNS rebinding reads nothing', async () => {
    const port = new URL(app.url).port
    const rebound = await rawRequest(app.url, '/__motia/state', { headers: { host: `attacker.example:${port}` } })
    expect(rebound.status).toBe(401)
    expect(JSON.parse(rebound.body).error).toContain('attacker.example')
    expect((await rawRequest(app.url, '/__motia/jobs', { headers: { host: `localhost:${port}` } })).status).toBe(200)
    expect((await rawRequest(app.url, '/__motia/jobs', { headers: { host: `[::1]:${port}` } })).status).toBe(200)
  })

  it('leaves API steps as the user wrote them: form posts and other origins reach the handler', async () => {
    const response = await rawRequest(app.url, '/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' },
      body: 'item=book&quantity=2',
    })
    expect(response.status).toBe(400)
    expect(JSON.parse(response.body).error).toMatch(/bodySchema/)
  })
})

describe('the admin token (start)', () => {
  it('trusts a loopback caller only at a loopback Host', async () => {
    const app = await startFixture(fixture('runtime'), { mode: 'start' })
    try {
      const port = new URL(app.url).port
      expect((await rawRequest(app.url, '/__motia/jobs', { headers: { host: `attacker.example:${port}` } })).status).toBe(401)
      expect((await rawRequest(app.url, '/__motia/jobs')).status).toBe(200)
    } finally {
      await app.close()
    }
  })

  it('is asked of loopback callers too when required, and a malformed cookie is a 401 logged at warn', async () => {
    const app = await startFixture(fixture('runtime'), { mode: 'start', adminToken: 's3cret', requireAdminToken: true })
    try {
      const refused = await rawRequest(app.url, '/__motia/jobs')
      expect(refused.status).toBe(401)
      expect(JSON.parse(refused.body).error).toContain('Authorization: Bearer')
      expect((await rawRequest(app.url, '/__motia/jobs', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200)
      expect((await rawRequest(app.url, '/__motia/jobs', { headers: { authorization: 'Bearer s3cret-but-longer' } })).status).toBe(401)
      const malformed = await rawRequest(app.url, '/__motia/jobs', { headers: { cookie: 'motia_admin_token=%E0%A4%A' } })
      expect(malformed.status).toBe(401)
      expect(JSON.parse(malformed.body).error).toMatch(/percent-encoding/)
      expect(app.logs.some((line) => line.level === 'warn' && line.msg.includes('percent-encoding'))).toBe(true)
    } finally {
      await app.close()
    }
  })

  it('is required through MOTIA_REQUIRE_ADMIN_TOKEN and the config file, and refuses to start without a token', async () => {
    process.env['MOTIA_REQUIRE_ADMIN_TOKEN'] = '1'
    try {
      const app = await startFixture(fixture('runtime'), { mode: 'start', adminToken: 's3cret' })
      expect((await rawRequest(app.url, '/__motia/jobs')).status).toBe(401)
      await app.close()
      await expect(startFixture(fixture('runtime'), { mode: 'start' })).rejects.toThrow(/MOTIA_ADMIN_TOKEN is not set/)
    } finally {
      delete process.env['MOTIA_REQUIRE_ADMIN_TOKEN']
    }
    const project = copyFixture('runtime')
    try {
      writeFileSync(join(project.dir, 'package.json'), '{"type":"module"}')
      writeFileSync(join(project.dir, 'motia-like.config.ts'), 'export default { admin: { requireToken: true } }\n')
      const app = await startFixture(project.dir, { mode: 'start', adminToken: 's3cret' })
      expect((await rawRequest(app.url, '/emit', { method: 'POST', headers: json, body: '{"topic":"x"}' })).status).toBe(401)
      await app.close()
    } finally {
      project.remove()
    }
  })

  it('marks the Workbench cookie Secure when the request came over TLS through a trusted proxy', async () => {
    const app = await startFixture(fixture('runtime'), { mode: 'start', workbench: true, adminToken: 's3cret', trustProxy: 'loopback' })
    try {
      const overTls = await rawRequest(app.url, '/__motia/workbench/?token=s3cret', { headers: { 'x-forwarded-proto': 'https' } })
      expect(overTls.status).toBe(303)
      expect(String(overTls.headers['set-cookie'])).toMatch(/; Secure/)
      const plain = await rawRequest(app.url, '/__motia/workbench/?token=s3cret')
      expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/)
    } finally {
      await app.close()
    }
  })
})
