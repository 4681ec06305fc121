import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { startDev } from '../src/dev/start-dev.ts'
import type { ReloadReport } from '../src/dev/reloader.ts'
import { createLogger } from '../src/logger/create-logger.ts'
import { createTester } from '../src/testing/create-tester.ts'
import { copyFixture, startFixture } from './helpers/start-fixture.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

function project(files: Record<string, string> = {}): string {
  const copy = copyFixture('streams')
  cleanups.push(copy.remove)
  for (const [path, text] of Object.entries(files)) writeFileSync(join(copy.dir, path), text)
  return copy.dir
}

describe('stream files', () => {
  it('are loaded beside step files but are not steps; a duplicate name or a bad config is a load error naming the files', async () => {
    const dir = project({
      'steps/again.stream.ts': "export const config = { name: 'todo', schema: {}, baseConfig: { storageType: 'default' } }\n",
      'steps/nameless.stream.ts': "export const config = { name: '', baseConfig: { storageType: 'default' } }\n",
      'steps/factoryless.stream.ts': "export const config = { name: 'custom', baseConfig: { storageType: 'custom' } }\n",
    })
    const app = await startFixture(dir)
    cleanups.push(() => app.close())
    const { body } = await app.json<{ steps: { file: string }[]; errors: { file: string; message: string }[] }>('/__motia/steps')
    expect(body.steps.some((step) => step.file.includes('.stream.'))).toBe(false)
    const messages = body.errors.map((error) => error.message)
    expect(messages).toContainEqual(expect.stringMatching(/Stream name "todo" in steps\/(again|todo)\.stream\.ts is already used by steps\/(again|todo)\.stream\.ts\. Stream names must be unique: rename one of them\./))
    expect(messages).toContain('Invalid stream config in steps/nameless.stream.ts: config.name must be a non-empty string.')
    expect(messages).toContainEqual(expect.stringMatching(/^Invalid stream config in steps\/factoryless\.stream\.ts: config\.baseConfig\.factory /))
    expect(body.errors).toHaveLength(3)
  })

  it('turns a stream file whose import never finishes into a load error naming it, while the rest serves', async () => {
    const dir = project({ 'steps/hung.stream.ts': "await new Promise(() => {})\nexport const config = { name: 'hung', baseConfig: { storageType: 'default' } }\n" })
    const app = await startFixture(dir, { loadTimeoutMs: 3000 })
    cleanups.push(() => app.close())
    const { body } = await app.json<{ errors: { file: string; message: string }[] }>('/__motia/steps')
    expect(body.errors).toEqual([
      expect.objectContaining({ file: 'steps/hung.stream.ts', message: expect.stringMatching(/^Cannot load steps\/hung\.stream\.ts: its import did not finish within 3 s/) }),
    ])
    expect(app.runtime.streams.registry.get('todo')).toBeDefined()
  })

  it('hot-reload in dev: an edited stream file takes effect at once and its items survive', async () => {
    const dir = project()
    const reloads: ReloadReport[] = []
    let wake = (): void => {}
    const dev = await startDev({
      projectDir: dir,
      port: 0,
      host: '127.0.0.1',
      memory: true,
      logger: createLogger({ level: 'error', pretty: false, destination: new Writable({ write: (_c, _e, done) => done() }) }),
      onReload: (report) => {
        reloads.push(report)
        wake()
      },
    })
    cleanups.push(() => dev.close())
    const post = (path: string, body: unknown) => fetch(`${dev.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect((await post('/todo/inbox/kept', { title: 'written before the edit' })).status).toBe(200)
    expect((await post('/todo/inbox/loose', { notATitle: true })).status).toBe(200)

    const file = join(dir, 'steps', 'todo.stream.ts')
    writeFileSync(`${file}.tmp`, readFileSync(file, 'utf8').replace("baseConfig: { storageType: 'default' },", "baseConfig: { storageType: 'default' },\n  validate: true,"))
    renameSync(`${file}.tmp`, file)
    const deadline = Date.now() + 10_000
    while (!reloads.some((report) => report.files.includes('steps/todo.stream.ts'))) {
      if (Date.now() > deadline) throw new Error('steps/todo.stream.ts was not reloaded within 10 s')
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, 100)
      })
    }
    expect(reloads.flatMap((report) => report.errors)).toEqual([])
    const rejected = await post('/todo/inbox/loose2', { notATitle: true })
    expect(rejected.status).toBe(500)
    expect(((await rejected.json()) as { error: string }).error).toMatch(/does not match its schema: title: /)
    const kept = await fetch(`${dev.url}/todo/inbox?id=kept`)
    expect(await kept.json()).toMatchObject({ id: 'kept', title: 'written before the edit' })
  })
})

describe('ctx.streams in a Python step', () => {
  it('sets, reads and sends over the worker protocol, with the same return values as TypeScript', async () => {
    const dir = project({
      'steps/py_todo_step.py': readFileSync(join(import.meta.dirname, 'fixtures', 'streams-python', 'py_todo_step.py'), 'utf8'),
      'steps/notes_stream.py': 'config = {"name": "notes", "schema": {"type": "object", "properties": {"text": {"type": "string"}}}, "baseConfig": {"storageType": "default"}}\n',
    })
    const app = await startFixture(dir)
    cleanups.push(() => app.close())
    // A Python stream file declares a stream like a TypeScript one.
    expect(app.runtime.streams.registry.get('notes')?.jsonSchema).toEqual({ type: 'object', properties: { text: { type: 'string' } } })
    const events = app.runtime.streams.store
    const heard = new Promise<string>((resolve) => events.onChange((change) => change.type === 'event' && resolve(change.json)))
    const { status, body } = await app.json('/py-todo/py/p1', { method: 'POST', body: JSON.stringify({ title: 'from Python' }) })
    expect(status).toBe(200)
    expect(body).toEqual({
      stored: { id: 'p1', title: 'from Python', __motia: { type: 'state-stream', streamName: 'todo', groupId: 'py', id: 'p1' } },
      count: 1,
      missing: null,
    })
    expect(JSON.parse(await heard)).toEqual({ type: 'from-python', data: { id: 'p1' } })
  })
})

describe('ctx.streams in a Ruby step', () => {
  it('sets, reads and sends over the worker protocol, with the same return values as TypeScript', async () => {
    const dir = project({
      'steps/rb_todo.step.rb': readFileSync(join(import.meta.dirname, 'fixtures', 'streams-ruby', 'rb_todo.step.rb'), 'utf8'),
    })
    const app = await startFixture(dir)
    cleanups.push(() => app.close())
    const heard = new Promise<string>((resolve) => app.runtime.streams.store.onChange((change) => change.type === 'event' && resolve(change.json)))
    const { status, body } = await app.json('/rb-todo/rb/r1', { method: 'POST', body: JSON.stringify({ title: 'from Ruby' }) })
    expect(status).toBe(200)
    expect(body).toEqual({
      stored: { id: 'r1', title: 'from Ruby', __motia: { type: 'state-stream', streamName: 'todo', groupId: 'rb', id: 'r1' } },
      count: 1,
      missing: null,
    })
    expect(JSON.parse(await heard)).toEqual({ type: 'from-ruby', data: { id: 'r1' } })
  })
})

describe('a stream with storage of its own', () => {
  it("keeps items where its factory says, with Motia's return values and the changes pushed to subscribers", async () => {
    const dir = project({
      'steps/notes.stream.ts': `const items = new Map()
export const config = {
  name: 'notes',
  baseConfig: {
    storageType: 'custom',
    factory: () => ({
      get: async (groupId, id) => items.get(groupId + '/' + id) ?? null,
      set: async (groupId, id, data) => (items.set(groupId + '/' + id, data), data),
      delete: async (groupId, id) => { const item = items.get(groupId + '/' + id) ?? null; items.delete(groupId + '/' + id); return item },
      getGroup: async (groupId) => [...items].filter(([key]) => key.startsWith(groupId + '/')).map(([, item]) => item),
    }),
  },
}
`,
      'steps/set-note.step.ts': `export const config = { type: 'api', name: 'SetNote', path: '/notes/:id', method: 'POST', emits: [] }
export const handler = async (req, ctx) => {
  const set = await ctx.streams.notes.set('all', req.pathParams.id, req.body)
  const removed = await ctx.streams.notes.delete('all', 'missing')
  return { status: 200, body: { set, removed, group: await ctx.streams.notes.getGroup('all') } }
}
`,
    })
    const tester = await createTester({ dir })
    cleanups.push(() => tester.close())
    const tag = { type: 'state-stream', streamName: 'notes', groupId: 'all', id: 'n1' }
    expect((await tester.request('POST', '/notes/n1', { text: 'one' })).body).toEqual({
      set: { text: 'one', id: 'n1', __motia: tag },
      removed: null,
      group: [{ text: 'one', id: 'n1', __motia: tag }],
    })
    await tester.request('POST', '/notes/n1', { text: 'two' })
    expect(tester.streamChanges('notes').map((frame) => [frame.event.type, 'data' in frame.event ? frame.event.data : null])).toEqual([
      ['create', { text: 'one', id: 'n1' }],
      ['update', { text: 'two', id: 'n1' }],
    ])
  })
})
