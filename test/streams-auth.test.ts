import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { copyFixture, startFixture, type TestApp } from './helpers/start-fixture.ts'
import { firstChange, nextEvent, openRawClient, SafeStream, toSocketUrl, upgradeStatus } from './helpers/stream-clients.ts'

const authenticate = `
  authenticate({ url, headers }) {
    const offered = String(headers['sec-websocket-protocol'] ?? '').split(',').map((part) => part.trim())
    const token = new URL(url ?? '/', 'http://localhost').searchParams.get('authToken') ?? (offered[0] === 'Authorization' ? offered[1] : null)
    if (token === 'bad') throw new Error('unknown token')
    return token === 'admin' ? { role: 'admin' } : null
  },
`

const cleanups: Array<() => Promise<void> | void> = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

async function startWithConfig(file: string, text: string): Promise<TestApp> {
  const project = copyFixture('streams')
  writeFileSync(join(project.dir, file), text)
  const app = await startFixture(project.dir, { mode: 'start' })
  cleanups.push(project.remove, () => app.close())
  return app
}

describe.each([
  ['motia-like.config.ts', `export default { streamAuth: {${authenticate}} }`],
  ["a Motia project's motia.config.ts", `import { config } from 'motia'\nexport default config({ plugins: [], streamAuth: { contextSchema: { type: 'object' },${authenticate}} })`],
])('stream auth from %s', (label, text) => {
  it('refuses an upgrade that authenticate throws on with 401, and gives canAccess the auth context it returned', async () => {
    const app = await startWithConfig(label.startsWith('motia-like') ? 'motia-like.config.ts' : 'motia.config.ts', text)
    expect(await upgradeStatus(toSocketUrl(app.url, '/?authToken=bad'))).toBe(401)

    const anonymous = new SafeStream(toSocketUrl(app.url))
    const denied = anonymous.subscribeGroup('todo', 'secret')
    expect(await nextEvent(denied, 'error')).toEqual({ code: 'STREAM_ACCESS_DENIED', message: 'Access denied' })
    const open = anonymous.subscribeGroup('todo', 'inbox')
    expect(await firstChange(open)).toEqual([])

    const admin = new SafeStream(toSocketUrl(app.url, '/?authToken=admin'))
    const secret = admin.subscribeGroup('todo', 'secret')
    expect(await firstChange(secret)).toEqual([])

    // A browser carries the token as a subprotocol; the first offered one is selected, as browsers require.
    const browserLike = await openRawClient(toSocketUrl(app.url), { protocols: ['Authorization', 'admin'] })
    expect(browserLike.socket.protocol).toBe('Authorization')
    browserLike.join('todo', 'secret', 's1')
    expect((await browserLike.next((frame) => frame['groupId'] === 'secret'))['event'].type).toBe('sync')
    browserLike.close()
    for (const subscription of [denied, open, secret]) subscription.close()
    anonymous.close()
    admin.close()
  })
})

describe('streams without streamAuth in start', () => {
  it('are open to any client, as in Motia', async () => {
    const project = copyFixture('streams')
    const app = await startFixture(project.dir, { mode: 'start' })
    cleanups.push(project.remove, () => app.close())
    expect(await upgradeStatus(toSocketUrl(app.url, '/?authToken=bad'))).toBe(101)
    const raw = await openRawClient(toSocketUrl(app.url))
    raw.join('todo', 'inbox', 's1')
    expect((await raw.next(() => true))['event']).toEqual({ type: 'sync', data: [] })
    raw.close()
  })
})
