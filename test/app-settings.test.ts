import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadMotiaConfig } from '../src/runtime/motia-config.ts'
import { copyFixture, fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

const allowed = 'http://localhost:5173'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('app-settings'))
})
afterAll(() => app.close())

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.fetch(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } })
const preflight = (path: string, origin = allowed) =>
  app.fetch(path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })

describe("motia.config.ts of a Motia project (no motia package installed)", () => {
  it('loads with its imports and requires of motia and the Workbench plugins, whole', async () => {
    const loaded = await loadMotiaConfig(fixture('app-settings'))
    expect(loaded?.file).toBe(join(fixture('app-settings'), 'motia.config.ts'))
    expect(loaded?.config.plugins).toHaveLength(2)
    expect(typeof loaded?.config.app).toBe('function')
  })

  it('applies app(expressApp) before the API steps and before body parsing', async () => {
    const hello = await post('/hello', { name: 'ada' })
    expect(hello.headers.get('x-app-hook')).toBe('on')
    expect(await hello.json()).toEqual({ hello: 'ada' })
    const echo = await post('/raw-echo', { token: 'abc' })
    expect(await echo.json()).toEqual({ raw: '{"token":"abc"}' })
  })

  it("serves the methods the hook adds to express's request and response objects", async () => {
    const tenant = await app.fetch('/tenant', { headers: { 'x-tenant': 'acme' } })
    expect(await tenant.json()).toEqual({ ok: true, tenant: 'acme' })
  })

  it('keeps the express settings the hook makes for API step answers: strong ETags', async () => {
    const hello = await post('/hello', { name: 'ada' })
    expect(hello.headers.get('etag')).toMatch(/^"[0-9a-f]+-/)
  })

  it('says once that the Workbench plugins are ignored', () => {
    const lines = app.logs.filter((entry) => /Workbench plugin/.test(entry.msg))
    expect(lines.map((entry) => [entry.level, entry.msg])).toEqual([
      ['info', 'motia.config.ts: ignoring 2 Workbench plugin(s); motia-like serves its own Workbench.'],
    ])
  })

  it('loads in an ES module project too', async () => {
    const project = copyFixture('app-settings')
    try {
      writeFileSync(join(project.dir, 'package.json'), '{ "name": "app-settings-esm", "private": true, "type": "module" }\n')
      writeFileSync(
        join(project.dir, 'motia.config.ts'),
        "import { defineConfig } from '@motiadev/core'\nimport statesPlugin from '@motiadev/plugin-states/plugin'\nexport default defineConfig({ plugins: [statesPlugin], app: (app) => app.get('/extra', (_req, res) => res.json({ ok: true })) })\n",
      )
      const esm = await startFixture(project.dir)
      try {
        expect(await (await esm.fetch('/extra')).json()).toEqual({ ok: true })
      } finally {
        await esm.close()
      }
    } finally {
      project.remove()
    }
  })

  it('fails start with an error naming the file when the hook throws', async () => {
    const project = copyFixture('app-settings')
    try {
      writeFileSync(join(project.dir, 'motia.config.ts'), "export default { app: () => { throw new Error('no SESSION_SECRET') } }\n")
      await expect(startFixture(project.dir)).rejects.toThrow(
        `The app(expressApp) hook of ${join(project.dir, 'motia.config.ts')} threw: no SESSION_SECRET. Fix the hook in ${join(project.dir, 'motia.config.ts')}.`,
      )
    } finally {
      project.remove()
    }
  })
})

describe('CORS from motia-like.config.ts', () => {
  it('lets an allowed origin call an API step, with credentials and the trace id readable', async () => {
    const answer = await preflight('/hello')
    expect(answer.status).toBe(204)
    expect(answer.headers.get('access-control-allow-origin')).toBe(allowed)
    expect(answer.headers.get('access-control-allow-methods')).toContain('POST')
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true')
    const call = await post('/hello', { name: 'ada' }, { origin: allowed })
    expect(call.status).toBe(200)
    expect(call.headers.get('access-control-allow-origin')).toBe(allowed)
    expect(call.headers.get('access-control-expose-headers')).toBe('x-trace-id')
  })

  it('gives another origin no CORS headers', async () => {
    const call = await post('/hello', { name: 'ada' }, { origin: 'http://evil.test' })
    expect(call.headers.get('access-control-allow-origin')).toBeNull()
    expect((await preflight('/hello', 'http://evil.test')).headers.get('access-control-allow-origin')).toBeNull()
  })

  it('never puts CORS headers on the built-in endpoints or POST /emit', async () => {
    for (const path of ['/emit', '/__motia/steps', '/__motia/jobs/retry']) {
      expect((await preflight(path)).headers.get('access-control-allow-origin')).toBeNull()
    }
    const steps = await app.fetch('/__motia/steps', { headers: { origin: allowed } })
    expect(steps.status).toBe(200)
    expect(steps.headers.get('access-control-allow-origin')).toBeNull()
    const emit = await post('/emit', { topic: 'nothing.listens', data: {} }, { origin: allowed })
    expect(emit.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('is off without a setting', async () => {
    const plain = await startFixture(fixture('runtime'))
    try {
      const call = await plain.fetch('/greet/ada', { headers: { origin: allowed } })
      expect(call.status).toBe(200)
      expect(call.headers.get('access-control-allow-origin')).toBeNull()
    } finally {
      await plain.close()
    }
  })
})
