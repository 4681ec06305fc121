import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevProject, startDevProject } from './helpers/dev-project.ts'
import { eventually } from './helpers/spawn-cli.ts'
import { isRunning } from './helpers/worker-processes.ts'

let dev: DevProject

beforeAll(async () => {
  dev = await startDevProject('ruby-dev')
})
afterAll(() => dev.remove())

const file = (path: string) => dev.file(path)
const edit = (path: string, from: string, to: string) => dev.edit(path, from, to)
const get = (path: string) => dev.get(path)
const until = (path: string, status: number, match?: (body: Record<string, unknown>) => boolean) => dev.until(path, status, match)
const loadErrors = () => dev.loadErrors()

describe('motia-like dev with Ruby steps', () => {
  it('reloads an edited Ruby step in its running workers', async () => {
    const before = await get('/rb/hello')
    expect(before.body['text']).toBe('hello v1')
    edit('steps/hello.step.rb', ' v1"', ' v2"')
    const after = await until('/rb/hello', 200, (body) => body['text'] === 'hello v2')
    await eventually(async () => (/reloaded steps\/hello\.step\.rb in \d+ ms/.test(dev.server.output()) ? true : undefined))
    expect(isRunning(before.body['pid'] as number)).toBe(true)
    expect(after['pid']).toBeTypeOf('number')
  })

  it('reloads the Ruby steps when a Ruby helper they require changes, without constant warnings', async () => {
    edit('steps/support/words.rb', "'hello'", "'howdy'")
    await until('/rb/hello', 200, (body) => body['text'] === 'howdy v2')
    expect(dev.server.output()).not.toContain('already initialized constant')
  })

  it('keeps the previous version through a syntax error, naming file and line, and recovers on the fix', async () => {
    const good = readFileSync(file('steps/hello.step.rb'), 'utf8')
    writeFileSync(file('steps/hello.step.rb'), good.replace('def handler(_req, _context)', 'def handler(_req, _context'))
    const errors = await eventually(async () => {
      const found = await loadErrors()
      return found.length > 0 ? found : undefined
    })
    expect(errors).toEqual([
      {
        file: 'steps/hello.step.rb',
        line: 8,
        message: expect.stringMatching(/^Cannot load steps\/hello\.step\.rb:8: SyntaxError: .+\. Fix the file; the other steps keep running\.$/),
      },
    ])
    expect((await get('/rb/hello')).body['text']).toBe('howdy v2')
    writeFileSync(file('steps/hello.step.rb'), good.replace(' v2"', ' v3"'))
    await until('/rb/hello', 200, (body) => body['text'] === 'howdy v3')
    expect(await loadErrors()).toEqual([])
  })

  it('adds and removes Ruby step files, and the graph follows', async () => {
    writeFileSync(
      file('steps/extra_step.rb'),
      "def config = { type: 'api', name: 'RbExtra', method: 'GET', path: '/rb/extra', emits: [] }\n\n" +
        'def handler(_req, _context) = { status: 200, body: { extra: true } }\n',
    )
    await until('/rb/extra', 200)
    const nodes = (await get('/__motia/graph')).body['nodes'] as { name: string; file: string }[]
    expect(nodes.find((node) => node.name === 'RbExtra')?.file).toBe('steps/extra_step.rb')
    rmSync(file('steps/extra_step.rb'))
    await until('/rb/extra', 404)
  })

  it('leaves no Ruby worker behind when the server stops', async () => {
    const pid = (await get('/rb/hello')).body['pid'] as number
    expect(isRunning(pid)).toBe(true)
    expect(await dev.server.stop()).toBe(0)
    await eventually(async () => (isRunning(pid) ? undefined : true))
  })
})
