import { afterAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { redisUrl, removeKeys, uniquePrefix } from '../src/backends/redis/redis-test-support.ts'
import { type ServerProcess, spawnServer } from './helpers/spawn-cli.ts'
import { copyFixture, startFixture, type TestApp } from './helpers/start-fixture.ts'
import { firstChange, nextEvent, SafeStream, stateWhere, toSocketUrl } from './helpers/stream-clients.ts'

type Todo = { id: string; title: string }
const titles = (items: Todo[]) => items.map((item) => item.title)
const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('a client reconnecting across a restart of the default (SQLite) store', () => {
  const project = copyFixture('streams')
  let app: TestApp | undefined
  afterAll(async () => {
    await app?.close()
    project.remove()
  })

  it('gets a fresh full sync with the items kept in the file and the writes made while it was away', async () => {
    app = await startFixture(project.dir, { memory: false })
    const port = Number(new URL(app.url).port)
    const stream = new SafeStream(toSocketUrl(app.url))
    const group = stream.subscribeGroup<Todo>('todo', 'inbox')
    await firstChange(group)
    await post(app.url, '/todo/inbox/a', { title: 'before the restart' })
    await stateWhere(group, (items) => items.length === 1)

    await app.close()
    app = await startFixture(project.dir, { memory: false, port })
    // The client retries every 2 s: this write lands while it is disconnected.
    await post(app.url, '/todo/inbox/b', { title: 'while away' })
    expect(titles(await stateWhere(group, (items) => items.length === 2, 8_000))).toEqual(['before the restart', 'while away'])
    group.close()
    stream.close()
  }, 20_000)
})

describe.skipIf(!redisUrl)('two motia-like start processes on one Redis', () => {
  const prefix = uniquePrefix('streams-cluster')
  const env = { MOTIA_REDIS_URL: redisUrl ?? '', MOTIA_REDIS_PREFIX: prefix }
  const project = copyFixture('streams')
  let servers: ServerProcess[] = []
  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop()))
    const client = new Redis(redisUrl ?? '')
    await removeKeys(client, prefix)
    await client.quit()
    project.remove()
  })

  it('pushes to a client on one process the writes and events made on the other', async () => {
    servers = await Promise.all([spawnServer('start', project.dir, [], env), spawnServer('start', project.dir, [], env)])
    const [first, second] = servers as [ServerProcess, ServerProcess]
    const stream = new SafeStream(toSocketUrl(first.url))
    const group = stream.subscribeGroup<Todo>('todo', 'shared')
    const item = stream.subscribeItem<Todo>('todo', 'shared', 'x')
    await Promise.all([firstChange(group), firstChange(item)])

    await post(second.url, '/todo/shared/x', { title: 'written on the second' })
    expect(titles(await stateWhere(group, (items) => items.length === 1))).toEqual(['written on the second'])
    expect(await stateWhere(item, (value) => value !== null)).toEqual({ id: 'x', title: 'written on the second' })
    await post(second.url, '/todo/shared/x', { title: 'updated on the second' })
    expect(await stateWhere(item, (value) => value?.title === 'updated on the second')).toEqual({ id: 'x', title: 'updated on the second' })

    const typing = nextEvent(group, 'typing')
    await post(second.url, '/todo-events/shared', { type: 'typing', data: { from: 'second' } })
    expect(await typing).toEqual({ from: 'second' })
    await fetch(`${second.url}/todo/shared/x`, { method: 'DELETE' })
    expect(await stateWhere(group, (items) => items.length === 0)).toEqual([])
    group.close()
    item.close()
    stream.close()
  }, 30_000)
})
