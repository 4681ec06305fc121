import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isRunning } from './helpers/worker-processes.ts'
import { type DevProject, startDevProject } from './helpers/dev-project.ts'
import { eventually } from './helpers/spawn-cli.ts'

let dev: DevProject

beforeAll(async () => {
  dev = await startDevProject('python-dev')
})
afterAll(() => dev.remove())

const file = (path: string) => dev.file(path)
const edit = (path: string, from: string, to: string) => dev.edit(path, from, to)
const get = (path: string) => dev.get(path)
const until = (path: string, status: number, match?: (body: Record<string, unknown>) => boolean) => dev.until(path, status, match)
const loadErrors = () => dev.loadErrors()

describe('motia-like dev with Python steps', () => {
  it('reloads an edited Python step in its running workers', async () => {
    expect((await get('/py/hello')).body['text']).toBe('hello v1')
    edit('steps/hello_step.py', '" v1"', '" v2"')
    await until('/py/hello', 200, (body) => body['text'] === 'hello v2')
    await eventually(async () => (/reloaded steps\/hello_step\.py in \d+ ms/.test(dev.server.output()) ? true : undefined))
  })

  it('reloads the Python steps when a Python helper they import changes', async () => {
    edit('steps/words.py', '"hello"', '"howdy"')
    await until('/py/hello', 200, (body) => body['text'] === 'howdy v2')
  })

  it('keeps the previous version through a syntax error, naming file and line, and recovers on the fix', async () => {
    const good = readFileSync(file('steps/hello_step.py'), 'utf8')
    writeFileSync(file('steps/hello_step.py'), good.replace('async def handler(req, ctx):', 'async def handler(req, ctx)'))
    const errors = await eventually(async () => {
      const found = await loadErrors()
      return found.length > 0 ? found : undefined
    })
    expect(errors).toEqual([
      {
        file: 'steps/hello_step.py',
        line: 8,
        message: "Cannot load steps/hello_step.py:8: SyntaxError: expected ':'. Fix the file; the other steps keep running.",
      },
    ])
    expect((await get('/py/hello')).body['text']).toBe('howdy v2')
    writeFileSync(file('steps/hello_step.py'), good.replace('" v2"', '" v3"'))
    await until('/py/hello', 200, (body) => body['text'] === 'howdy v3')
    expect(await loadErrors()).toEqual([])
  })

  it('adds and removes Python step files, and the graph follows', async () => {
    writeFileSync(
      file('steps/extra_step.py'),
      'config = {"type": "api", "name": "PyExtra", "method": "GET", "path": "/py/extra", "emits": []}\n\n' +
        'async def handler(req, ctx):\n    return {"status": 200, "body": {"extra": True}}\n',
    )
    await until('/py/extra', 200)
    const nodes = (await get('/__motia/graph')).body['nodes'] as { name: string; file: string }[]
    expect(nodes.find((node) => node.name === 'PyExtra')?.file).toBe('steps/extra_step.py')
    rmSync(file('steps/extra_step.py'))
    await until('/py/extra', 404)
  })

  it('leaves no Python worker behind when the server stops', async () => {
    const pid = (await get('/py/hello')).body['pid'] as number
    expect(isRunning(pid)).toBe(true)
    expect(await dev.server.stop()).toBe(0)
    await eventually(async () => (isRunning(pid) ? undefined : true))
  })
})
