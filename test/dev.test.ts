import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, type ServerProcess, spawnServer } from './helpers/spawn-cli.ts'
import { copyFixture } from './helpers/start-fixture.ts'

let project: ReturnType<typeof copyFixture>
let server: ServerProcess

beforeAll(async () => {
  project = copyFixture('dev')
  server = await spawnServer('dev', project.dir)
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
  project.remove()
})

const file = (path: string) => join(project.dir, path)
// Written whole and renamed into place, so a reload never reads a half-written file.
const edit = (path: string, from: string, to: string) => {
  writeFileSync(`${file(path)}.tmp`, readFileSync(file(path), 'utf8').replace(from, to))
  renameSync(`${file(path)}.tmp`, file(path))
}

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
async function post(path: string, body: unknown): Promise<number> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return response.status
}
/** Waits until GET `path` answers with `status` and a body for which `match` holds. */
function until(path: string, status: number, match: (body: Record<string, unknown>) => boolean = () => true) {
  return eventually(async () => {
    const result = await get(path)
    return result.status === status && match(result.body) ? result.body : undefined
  })
}
interface StepsBody {
  steps: { name: string; type: string }[]
  errors: { file: string; line?: number; message: string }[]
}
const steps = async () => (await get('/__motia/steps')).body as unknown as StepsBody

const apiStep = (name: string, path: string, text: string) => `
export const config = { type: 'api', name: '${name}', method: 'GET', path: '${path}', emits: [] }
export const handler = async () => ({ status: 200, body: { text: '${text}' } })
`
const cronStep = (name: string, group: string) => `
export const config = { type: 'cron', name: '${name}', cron: '0 0 1 1 *', emits: [] }
export const handler = async ({ state }) => { await state.set('${group}', 'ran', true) }
`

describe('motia-like dev hot reload', () => {
  it('serves a changed API step without a restart and prints a reload line', async () => {
    const pid = server.child.pid
    expect((await get('/hello')).body).toEqual({ text: 'hello!', env: 'ada' })
    edit('steps/hello.step.ts', 'text: greeting()', "text: `${greeting()} v2`")
    await until('/hello', 200, (body) => body['text'] === 'hello! v2')
    expect(server.child.pid).toBe(pid)
    await eventually(async () => (/reloaded steps\/hello\.step\.ts in \d+ ms/.test(server.output()) ? true : undefined))
  })

  it('serves the last of two saves made within a few milliseconds', async () => {
    edit('steps/hello.step.ts', 'v2', 'first save')
    edit('steps/hello.step.ts', 'first save', 'v2')
    writeFileSync(file('steps/hello.step.ts'), readFileSync(file('steps/hello.step.ts'), 'utf8'))
    await until('/hello', 200, (body) => body['text'] === 'hello! v2')
    edit('steps/hello.step.ts', 'v2', 'quick one')
    await until('/hello', 200, (body) => body['text'] === 'hello! quick one')
    edit('steps/hello.step.ts', 'quick one', 'v2')
    await until('/hello', 200, (body) => body['text'] === 'hello! v2')
  })

  it('reloads the steps that import an edited helper, directly or transitively', async () => {
    edit('src/lib/punctuation.ts', "'!'", "'?'")
    await until('/hello', 200, (body) => body['text'] === 'hello? v2')
  })

  it('adds, moves and deletes API routes, and the graph follows', async () => {
    writeFileSync(file('steps/extra.step.ts'), apiStep('Extra', '/extra', 'one'))
    await until('/extra', 200, (body) => body['text'] === 'one')
    expect(((await get('/__motia/graph')).body['nodes'] as { id: string }[]).map((node) => node.id)).toContain('Extra')

    edit('steps/extra.step.ts', "path: '/extra'", "path: '/moved'")
    await until('/moved', 200)
    expect((await get('/extra')).status).toBe(404)

    rmSync(file('steps/extra.step.ts'))
    await until('/moved', 404)
    expect(((await get('/__motia/graph')).body['nodes'] as { id: string }[]).map((node) => node.id)).not.toContain('Extra')
  })

  it('keeps the previous version serving through a syntax error, and recovers on the fix', async () => {
    const good = readFileSync(file('steps/hello.step.ts'), 'utf8')
    writeFileSync(file('steps/hello.step.ts'), good.replace('export const handler', 'export const handler = (\nexport const broken'))
    const errors = await eventually(async () => {
      const { errors: found } = await steps()
      return found.length > 0 ? found : undefined
    })
    expect(errors[0]).toMatchObject({ file: 'steps/hello.step.ts', line: expect.any(Number) })
    expect(errors[0]?.message).toMatch(/^Cannot load steps\/hello\.step\.ts:\d+:/)
    expect((await get('/hello')).body['text']).toBe('hello? v2')
    await eventually(async () => (/error: Cannot load steps\/hello\.step\.ts:\d+/.test(server.output()) ? true : undefined))

    writeFileSync(file('steps/hello.step.ts'), good.replace('v2', 'v3'))
    await until('/hello', 200, (body) => body['text'] === 'hello? v3')
    expect((await steps()).errors).toEqual([])
  })

  it('keeps the previous version through an invalid config, naming the field', async () => {
    edit('steps/hello.step.ts', "method: 'GET'", "method: 'FETCH'")
    const errors = await eventually(async () => {
      const { errors: found } = await steps()
      return found.length > 0 ? found : undefined
    })
    expect(errors[0]?.message).toMatch(/^Invalid step config in steps\/hello\.step\.ts:4: config\.method/)
    expect((await get('/hello')).status).toBe(200)
    edit('steps/hello.step.ts', "method: 'FETCH'", "method: 'GET'")
    await eventually(async () => ((await steps()).errors.length === 0 ? true : undefined))
  })

  it('moves subscriptions to a changed event step, and drops them when it is deleted', async () => {
    expect(await post('/emit', { topic: 'note.added', data: { id: 'a' } })).toBe(200)
    await until('/__motia/state/notes', 200, (body) => JSON.stringify(body).includes('"v1"'))

    edit('steps/record.step.ts', "version: 'v1'", "version: 'v2'")
    await eventually(async () => {
      await post('/emit', { topic: 'note.added', data: { id: 'probe' } })
      const { body } = await get('/__motia/state/notes')
      return JSON.stringify(body).includes('"v2"') ? true : undefined
    })

  })

  it('keeps the queued jobs of a deleted step pending, and runs them when it comes back', async () => {
    edit('steps/record.step.ts', 'delaySeconds: 0', 'delaySeconds: 2')
    await eventually(async () => (JSON.stringify((await get('/__motia/steps')).body).includes('"delaySeconds":2') ? true : undefined))
    expect(await post('/emit', { topic: 'note.added', data: { id: 'orphan' } })).toBe(200)
    const source = readFileSync(file('steps/record.step.ts'), 'utf8')
    rmSync(file('steps/record.step.ts'))
    await eventually(async () => ((await steps()).steps.some((step) => step.name === 'Record') ? undefined : true))
    expect((await get('/__motia/jobs?step=Record&status=pending')).body['total']).toBe(1)
    await eventually(async () => (/Step \\?"Record\\?" was removed with 1 pending job/.test(server.output()) ? true : undefined))

    writeFileSync(file('steps/record.step.ts'), source)
    await until('/__motia/state/notes', 200, (body) => JSON.stringify(body).includes('"orphan"'))
  }, 15_000)

  it('runs a job queued before a reload on the new handler, and keeps state', async () => {
    expect(await post('/emit', { topic: 'note.added', data: { id: 'queued' } })).toBe(200)
    edit('steps/record.step.ts', "version: 'v2'", "version: 'v3'")
    const notes = await until('/__motia/state/notes', 200, (body) => JSON.stringify(body).includes('"queued"'))
    const items = notes['items'] as { key: string; value: { version: string } }[]
    expect(items.find((item) => item.key === 'queued')?.value.version).toBe('v3')
    expect(items.find((item) => item.key === 'a')?.value.version).toBe('v1')
  }, 15_000)

  it('turns an event step into an API step', async () => {
    writeFileSync(file('steps/record.step.ts'), apiStep('Record', '/record', 'now an api'))
    await until('/record', 200, (body) => body['text'] === 'now an api')
    expect((await steps()).steps.find((step) => step.name === 'Record')?.type).toBe('api')
  })

  it('adds, changes and deletes cron steps', async () => {
    writeFileSync(file('steps/nightly.step.ts'), cronStep('Nightly', 'first'))
    await eventually(async () => ((await post('/__motia/cron/Nightly/trigger', {})) === 200 ? true : undefined))
    await until('/__motia/state/first', 200, (body) => (body['items'] as unknown[]).length === 1)

    writeFileSync(file('steps/nightly.step.ts'), cronStep('Nightly', 'second'))
    await eventually(async () => {
      await post('/__motia/cron/Nightly/trigger', {})
      const { body } = await get('/__motia/state/second')
      return (body['items'] as unknown[]).length === 1 ? true : undefined
    })

    rmSync(file('steps/nightly.step.ts'))
    await eventually(async () => ((await post('/__motia/cron/Nightly/trigger', {})) === 404 ? true : undefined))
  })

  it('restarts the runtime in-process when .env changes', async () => {
    const pid = server.child.pid
    writeFileSync(file('.env'), 'GREETING_NAME=grace\n')
    await until('/hello', 200, (body) => body['env'] === 'grace')
    expect(server.child.pid).toBe(pid)
    await eventually(async () => (/\.env changed: runtime restarted/.test(server.output()) ? true : undefined))
  })
})
