import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'
import { openRawClient, toSocketUrl } from './helpers/stream-clients.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('streams'), { streamLimits: { maxSubscriptions: 3, heartbeatMs: 100, maxBufferedBytes: 64 * 1024, maxMessageBytes: 4096 } })
})
afterAll(() => app?.close())

const write = (group: string, id: string, fields: Record<string, unknown> = {}) => app.runtime.streams.store.set('todo', group, { id, title: id, ...fields })

describe('the stream socket, with a raw ws client', () => {
  it('ignores malformed and unknown frames without closing the socket or the server, on any path', async () => {
    const raw = await openRawClient(toSocketUrl(app.url, '/any/path?x=1'))
    for (const garbage of ['not json', '[]', 'null', '{"type":"join"}', '{"type":"join","data":{"streamName":"todo"}}', '{"type":"dance","data":{}}', '{"type":"leave","data":{"streamName":"todo","groupId":"g"}}']) {
      raw.send(garbage)
    }
    raw.socket.send(Buffer.from([1, 2, 3]), { binary: true })
    raw.join('todo', 'after-garbage', 's1')
    expect((await raw.next((frame) => frame['event'].type === 'sync'))['groupId']).toBe('after-garbage')
    expect((await app.fetch('/__motia/health')).status).toBe(200)
    raw.close()
  })

  it('closes a socket that sends a message over the size limit (1009) and keeps serving others', async () => {
    const raw = await openRawClient(toSocketUrl(app.url))
    raw.send({ type: 'join', data: { streamName: 'todo', groupId: 'x'.repeat(5000), subscriptionId: 's' } })
    expect((await raw.closed).code).toBe(1009)
    const other = await openRawClient(toSocketUrl(app.url))
    other.join('todo', 'fine', 's1')
    await other.next((frame) => frame['event'].type === 'sync')
    other.close()
  })

  it('routes exactly on (stream, group, id): another group with the same item id hears nothing', async () => {
    const raw = await openRawClient(toSocketUrl(app.url))
    raw.join('todo', 'other', 'i-other', 'a')
    raw.join('todo', 'inbox-routing', 'i-b', 'b')
    await raw.next((frame) => frame['groupId'] === 'other' && frame['event'].type === 'sync')
    await raw.next((frame) => frame['id'] === 'b' && frame['event'].type === 'sync')
    await write('inbox-routing', 'a')
    await write('inbox-routing', 'b')
    await raw.next((frame) => frame['id'] === 'b' && frame['event'].type === 'create')
    expect(raw.frames.filter((frame) => frame['event'].type !== 'sync').map((frame) => `${frame['groupId']}/${frame['id']}`)).toEqual(['inbox-routing/b'])
    raw.close()
  })

  it('stops sending after a leave, and re-syncs a subscription that joins again', async () => {
    const raw = await openRawClient(toSocketUrl(app.url))
    raw.join('todo', 'leaving', 's1')
    await raw.next((frame) => frame['event'].type === 'sync')
    raw.send({ type: 'leave', data: { streamName: 'todo', groupId: 'leaving', subscriptionId: 's1' } })
    // Messages are handled in order: once a later join is answered, the leave is done.
    raw.join('todo', 'marker', 's2')
    await raw.next((frame) => frame['groupId'] === 'marker')
    await write('leaving', 'missed')
    raw.join('todo', 'leaving', 's1')
    const sync = await raw.next((frame) => frame['event'].type === 'sync' && frame['event'].data.length === 1)
    expect(sync['event'].data).toEqual([{ id: 'missed', title: 'missed' }])
    expect(raw.frames.some((frame) => frame['event'].type === 'create')).toBe(false)
    raw.close()
  })

  it('caps the subscriptions of one connection with an error event', async () => {
    const raw = await openRawClient(toSocketUrl(app.url))
    for (const n of [1, 2, 3, 4]) raw.join('todo', `cap-${n}`, `s${n}`)
    const error = await raw.next((frame) => frame['event'].type === 'event')
    expect(error).toMatchObject({ groupId: 'cap-4', event: { event: { type: 'error', data: { code: 'STREAM_SUBSCRIPTION_LIMIT' } } } })
    expect(raw.frames.filter((frame) => frame['event'].type === 'sync')).toHaveLength(3)
    raw.close()
  })

  it('closes a connection that stops answering pings, and keeps one that answers', async () => {
    const dead = await openRawClient(toSocketUrl(app.url), { autoPong: false })
    const alive = await openRawClient(toSocketUrl(app.url))
    let pings = 0
    const threePings = new Promise<void>((resolve) => alive.socket.on('ping', () => ++pings === 3 && resolve()))
    await dead.closed
    await threePings
    expect(alive.socket.readyState).toBe(alive.socket.OPEN)
    alive.close()
  })

  it('drops a client that does not read while its unsent frames pass the limit', async () => {
    const slow = await openRawClient(toSocketUrl(app.url))
    slow.join('todo', 'flood', 's1')
    await slow.next((frame) => frame['event'].type === 'sync')
    const socket = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket
    socket.pause()
    const big = 'x'.repeat(256 * 1024)
    for (let n = 0; n < 64 && app.logs.every((entry) => !String(entry.msg).includes('Dropped a stream client')); n++) {
      await write('flood', `item-${n}`, { big })
    }
    socket.resume()
    await slow.closed
    expect(app.logs.some((entry) => String(entry.msg).includes('Dropped a stream client'))).toBe(true)
  })
})
