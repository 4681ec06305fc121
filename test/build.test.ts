import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hookOptions } from './helpers/loader-hooks.ts'
import { eventually, runCli, spawnServer } from './helpers/spawn-cli.ts'

const repoRoot = resolve(import.meta.dirname, '..')

/** A Motia-style project: a helper (with a JSON import) shared by two steps, `motia` imports, a top-level await, a broken and a failing step. */
const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'built', private: true, type: 'module' }),
  'motia.config.ts': `import { config } from 'motia'

export default config({
  app: (app: { get: (path: string, handler: (req: unknown, res: { json: (body: unknown) => void }) => void) => void }) => {
    app.get('/from-motia-config', (_req, res) => res.json({ ok: true }))
  },
})
`,
  'steps/settings.json': JSON.stringify({ greeting: 'Hello' }),
  'steps/greeting.ts': `import settings from './settings.json' with { type: 'json' }

// Counts its own evaluations: every step importing it must share one module.
const counter = globalThis as { greetingEvaluations?: number }
counter.greetingEvaluations = (counter.greetingEvaluations ?? 0) + 1

export const evaluations = (): number => counter.greetingEvaluations ?? 0
export const greet = (name: string): string => \`\${settings.greeting}, \${name}\`
`,
  'steps/greet.step.ts': `import { ApiRouteConfig, Handlers } from 'motia'
import { greet } from './greeting.ts'

export const config: ApiRouteConfig = { type: 'api', name: 'Greet', method: 'POST', path: '/greet', emits: ['greeted'] }

export const handler: Handlers['Greet'] = async (req, { emit }) => {
  await emit({ topic: 'greeted', data: { name: req.body.name } })
  return { status: 202, body: { message: greet(req.body.name) } }
}
`,
  'steps/greeted.step.ts': `import { EventConfig, Handlers } from 'motia'
import { evaluations, greet } from './greeting.ts'

export const config: EventConfig = { type: 'event', name: 'Greeted', subscribes: ['greeted'], emits: [] }

export const handler: Handlers['Greeted'] = async (input, { state }) => {
  await state.set('greetings', input.name, { text: greet(input.name), evaluations: evaluations() })
}
`,
  'steps/greetings.step.ts': `export const config = { type: 'api', name: 'Greetings', method: 'GET', path: '/greetings/:name', emits: [] }

export const handler = async (req: { pathParams: { name: string } }, { state }: { state: { get: (group: string, key: string) => Promise<unknown> } }) => {
  const greeting = await state.get('greetings', req.pathParams.name)
  return greeting ? { status: 200, body: greeting } : { status: 404, body: {} }
}
`,
  'steps/where.step.ts': `// A top-level await: the build runs it when the step loads.
const url = await Promise.resolve(import.meta.url)

export const config = { type: 'api', name: 'Where', method: 'GET', path: '/where', emits: [] }

export const handler = async () => ({ status: 200, body: { url } })
`,
  'steps/fails.step.ts': `export const config = { type: 'api', name: 'Fails', method: 'GET', path: '/fails', emits: [] }

export const handler = async () => {
  throw new Error('failing on purpose')
}
`,
  'steps/broken.step.ts': `// Fails at import, after the build.
throw new Error('broken on purpose')
`,
  'steps/signup.step.ts': `import { z } from 'zod'

const bodySchema = z.object({ email: z.email() })

export const config = { type: 'api', name: 'Signup', method: 'POST', path: '/signup', emits: [], bodySchema }

export const handler = async (req: { body: z.infer<typeof bodySchema> }) => ({ status: 201, body: { email: req.body.email } })
`,
}

/**
 * A resolve hook that makes tsx unavailable to the server and writes down every attempt to load it, and
 * writes down every file of the zod package loaded (the build gives step files the runtime's own zod module).
 */
const noTsxHook = `import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  if (/^tsx(\\/|$)/.test(specifier) || specifier.includes('/node_modules/tsx/')) {
    appendFileSync(new URL('./tsx-attempts.txt', import.meta.url), specifier + '\\n')
    throw Object.assign(new Error('tsx is not available to this process'), { code: 'ERR_MODULE_NOT_FOUND' })
  }
  const resolved = await next(specifier, context)
  if (resolved.url.includes('/node_modules/zod/')) appendFileSync(new URL('./zod-package-loads.txt', import.meta.url), resolved.url + '\\n')
  return resolved
}
`

let root: string
let dir: string
let hooks: string
let noTsx: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'motia-like-build-'))
  dir = join(root, 'project')
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), source)
  }
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(repoRoot, join(dir, 'node_modules', 'motia-like'), 'dir')
  // The zod motia-like depends on, as npm installs one copy for both.
  symlinkSync(join(repoRoot, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir')
  hooks = join(root, 'hooks')
  noTsx = hookOptions(hooks, 'no-tsx', noTsxHook)
})

afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('motia-like build', () => {
  it('compiles the project so start runs it without tsx: shared helper once, JSON, motia imports, errors naming the source', async () => {
    const built = await runCli(['build', '--dir', dir], dir)
    expect(built.stderr).toBe('')
    expect(built.code).toBe(0)
    expect(built.stdout).toMatch(/^Built 8 file\(s\) .* into \.motia-like\/build/)

    const server = await spawnServer('start', dir, ['--memory'], { NODE_OPTIONS: noTsx })
    try {
      const greet = await fetch(`${server.url}/greet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada"}' })
      expect(greet.status).toBe(202)
      expect(await greet.json()).toEqual({ message: 'Hello, Ada' })
      const stored = await eventually(async () => {
        const response = await fetch(`${server.url}/greetings/Ada`)
        return response.status === 200 ? await response.json() : undefined
      })
      expect(stored).toEqual({ text: 'Hello, Ada', evaluations: 1 })

      expect(await (await fetch(`${server.url}/from-motia-config`)).json()).toEqual({ ok: true })
      expect(await (await fetch(`${server.url}/where`)).json()).toEqual({ url: pathToFileURL(join(dir, 'steps', 'where.step.ts')).href })

      const steps = (await (await fetch(`${server.url}/__motia/steps`)).json()) as { errors: { file: string; message: string }[] }
      expect(steps.errors).toEqual([
        expect.objectContaining({ file: 'steps/broken.step.ts', message: expect.stringMatching(/^Cannot load steps\/broken\.step\.ts:2: broken on purpose/) }),
      ])

      const signup = (email: string) => fetch(`${server.url}/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) })
      const invalid = await signup('not an email')
      expect(invalid.status).toBe(400)
      expect(JSON.stringify(await invalid.json())).toContain('email')
      expect(await (await signup('ada@example.com')).json()).toEqual({ email: 'ada@example.com' })
      // The step's zod is the runtime's one module (motia-like/zod), not the package's ~95 modules a second time.
      expect(existsSync(join(hooks, 'zod-package-loads.txt'))).toBe(false)

      expect((await fetch(`${server.url}/fails`)).status).toBe(500)
      await eventually(async () => (server.output().includes('failing on purpose') ? true : undefined))
      expect(server.output()).toContain(`${join(dir, 'steps', 'fails.step.ts')}:4`)
      expect(existsSync(join(hooks, 'tsx-attempts.txt'))).toBe(false)
    } finally {
      await server.stop()
    }
  })

  it("keeps a project's own zod when it is not the version motia-like holds", async () => {
    const other = join(root, 'other-zod')
    const sources: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'other-zod', private: true, type: 'module' }),
      'node_modules/zod/package.json': JSON.stringify({ name: 'zod', version: '3.0.0-other', type: 'module', exports: './index.js' }),
      'node_modules/zod/index.js': "export const z = { copy: 'the project', safeParse: (data) => ({ success: true, data }) }\n",
      'steps/which.step.ts': `import { z } from 'zod'

export const config = { type: 'api', name: 'Which', method: 'GET', path: '/which', emits: [] }

export const handler = async () => ({ status: 200, body: { zod: (z as { copy?: string }).copy ?? 'motia-like' } })
`,
    }
    for (const [file, source] of Object.entries(sources)) {
      mkdirSync(dirname(join(other, file)), { recursive: true })
      writeFileSync(join(other, file), source)
    }
    symlinkSync(repoRoot, join(other, 'node_modules', 'motia-like'), 'dir')
    const built = await runCli(['build', '--dir', other], other)
    expect(built.code, built.stderr).toBe(0)
    const server = await spawnServer('start', other, ['--memory'])
    try {
      expect(await (await fetch(`${server.url}/which`)).json()).toEqual({ zod: 'the project' })
    } finally {
      await server.stop()
    }
  })

  it('is left aside, with a warning, once a source file changes: start loads the sources', async () => {
    const step = join(dir, 'steps', 'greeting.ts')
    writeFileSync(step, readFileSync(step, 'utf8').replace('`${settings.greeting}, ${name}`', '`${settings.greeting} again, ${name}`'))
    const server = await spawnServer('start', dir, ['--memory'])
    try {
      expect(server.output()).toContain('The build in .motia-like/build does not match the sources (steps/greeting.ts changed): loading the sources instead. Run motia-like build again.')
      const greet = await fetch(`${server.url}/greet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada"}' })
      expect(await greet.json()).toEqual({ message: 'Hello again, Ada' })
    } finally {
      await server.stop()
    }
  })

  it('fails naming the file and line of a syntax error, and writes no manifest', async () => {
    writeFileSync(join(dir, 'steps', 'typo.step.ts'), 'export const config = {\n  type: "api",,\n}\n')
    const built = await runCli(['build', '--dir', dir], dir)
    expect(built.code).toBe(1)
    expect(built.stderr).toMatch(/^motia-like: Cannot build .*steps\/typo\.step\.ts:2: /)
    expect(existsSync(join(dir, '.motia-like', 'build', 'manifest.json'))).toBe(false)
    rmSync(join(dir, 'steps', 'typo.step.ts'))
  })
})
