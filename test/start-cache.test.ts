import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { spawnServer } from './helpers/spawn-cli.ts'

const repoRoot = resolve(import.meta.dirname, '..')
const cacheDir = join('.motia-like', 'cache', 'start')
const compiledLine = /Compiled (\d+) file\(s\) into \.motia-like\/cache\/start in \d+ ms\. Later starts reuse it while the sources match\./

const hello = (message: string) => `import { greeting } from './greeting.ts'

export const config = { type: 'api', name: 'Hello', method: 'GET', path: '/hello', emits: [] }

export const handler = async () => ({ status: 200, body: { message: greeting('${message}') } })
`

const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'cached', private: true, type: 'module' }),
  'steps/greeting.ts': 'export const greeting = (text: string): string => `${text}!`\n',
  'steps/hello.step.ts': hello('hello'),
}

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'motia-like-start-cache-'))
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), source)
  }
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(repoRoot, join(dir, 'node_modules', 'motia-like'), 'dir')
})

afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** Starts the project, reads GET /hello and the load errors, then stops it. */
async function startOnce(env: Record<string, string> = {}): Promise<{ output: string; hello: unknown; errors: { file: string; message: string }[] }> {
  const server = await spawnServer('start', dir, ['--memory'], env)
  try {
    const hello = await (await fetch(`${server.url}/hello`)).json()
    const { errors } = (await (await fetch(`${server.url}/__motia/steps`)).json()) as { errors: { file: string; message: string }[] }
    return { output: server.output(), hello, errors }
  } finally {
    await server.stop()
  }
}

/** The load errors `dev` reports for the project: it always loads the sources through tsx. */
async function errorsFromSource(): Promise<{ file: string; message: string }[]> {
  const server = await spawnServer('dev', dir, ['--memory'])
  try {
    return ((await (await fetch(`${server.url}/__motia/steps`)).json()) as { errors: { file: string; message: string }[] }).errors
  } finally {
    await server.stop()
  }
}

const currentFolder = () => readFileSync(join(dir, cacheDir, 'current'), 'utf8').trim()

describe('start without a current build', () => {
  it('compiles the project once, reuses it while the sources match, and compiles again after an edit', async () => {
    const first = await startOnce()
    expect(first.output).toMatch(compiledLine)
    expect(compiledLine.exec(first.output)?.[1]).toBe('1')
    expect(first.hello).toEqual({ message: 'hello!' })
    const compiled = currentFolder()

    const second = await startOnce()
    expect(second.output).not.toMatch(compiledLine)
    expect(second.hello).toEqual({ message: 'hello!' })
    expect(currentFolder()).toBe(compiled)

    // An edit of the helper, not of the step file, must be seen too.
    writeFileSync(join(dir, 'steps', 'greeting.ts'), 'export const greeting = (text: string): string => `${text}?`\n')
    const edited = await startOnce()
    expect(edited.output).toMatch(compiledLine)
    expect(edited.hello).toEqual({ message: 'hello?' })
    expect(currentFolder()).not.toBe(compiled)

    writeFileSync(join(dir, 'steps', 'bye.step.ts'), hello('bye').replace("'Hello'", "'Bye'").replace("'/hello'", "'/bye'"))
    expect((await startOnce()).output).toMatch(compiledLine)
  })

  it('loads from source, with the same load errors, a file that does not compile, one importing a missing package and one importing a computed path', async () => {
    writeFileSync(join(dir, 'steps', 'typo.step.ts'), 'export const config = {\n  type: "api",,\n}\n')
    writeFileSync(join(dir, 'steps', 'missing.step.ts'), "import { nothing } from 'no-such-package-here'\n\nexport const config = { type: 'noop', name: 'Missing', virtualEmits: [], virtualSubscribes: [nothing] }\n")
    writeFileSync(join(dir, 'steps', 'computed.ts'), 'export const word = "computed"\n')
    writeFileSync(
      join(dir, 'steps', 'computed.step.ts'),
      `const path = './computed.ts'
const { word } = await import(path)

export const config = { type: 'api', name: 'Computed', method: 'GET', path: '/computed', emits: [] }

export const handler = async () => ({ status: 200, body: { word } })
`,
    )
    const expected = await errorsFromSource()
    expect(expected.map((error) => error.file).sort()).toEqual(['steps/missing.step.ts', 'steps/typo.step.ts'])

    const server = await spawnServer('start', dir, ['--memory'])
    try {
      expect(compiledLine.exec(server.output())?.[1]).toBe('1')
      expect(await (await fetch(`${server.url}/hello`)).json()).toEqual({ message: 'hello!' })
      expect(await (await fetch(`${server.url}/computed`)).json()).toEqual({ word: 'computed' })
      const { errors } = (await (await fetch(`${server.url}/__motia/steps`)).json()) as { errors: unknown[] }
      expect(errors).toEqual(expected)
    } finally {
      await server.stop()
    }
    // Those files are known to the cache: the next start reuses it.
    expect((await startOnce()).output).not.toMatch(compiledLine)
  })

  it('loads the sources through tsx, saying so at debug level, when the cache cannot be written', async () => {
    mkdirSync(join(dir, '.motia-like'))
    writeFileSync(join(dir, '.motia-like', 'cache'), 'a file where the cache folder would go\n')
    const started = await startOnce({ LOG_LEVEL: 'debug' })
    expect(started.hello).toEqual({ message: 'hello!' })
    expect(started.output).not.toMatch(compiledLine)
    expect(started.output).toContain('The start cache in .motia-like/cache/start cannot be used (')
    expect(started.output).toContain('): loading the sources through tsx.')
  })

  it('removes the folders no start has used for ten minutes when it compiles', async () => {
    const old = join(dir, cacheDir, 'old-folder')
    const recent = join(dir, cacheDir, 'recent-folder')
    mkdirSync(old, { recursive: true })
    mkdirSync(recent)
    const elevenMinutesAgo = new Date(Date.now() - 11 * 60_000)
    utimesSync(old, elevenMinutesAgo, elevenMinutesAgo)
    expect((await startOnce()).output).toMatch(compiledLine)
    expect(existsSync(old)).toBe(false)
    expect(existsSync(recent)).toBe(true)
    expect(readdirSync(join(dir, cacheDir)).sort()).toEqual(['current', currentFolder(), 'recent-folder'].sort())
  })
})
