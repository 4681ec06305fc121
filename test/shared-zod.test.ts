import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hookOptions } from './helpers/loader-hooks.ts'
import { eventually, spawnServer } from './helpers/spawn-cli.ts'

const repoRoot = resolve(import.meta.dirname, '..')

/** A load hook that writes down every file of a zod package the process loads. */
const recordZodLoads = `import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  if (url.includes('/node_modules/zod/')) appendFileSync(new URL('./zod-package-loads.txt', import.meta.url), url + '\\n')
  return next(url, context)
}
`

const signupStep = (status: number) => `import { z } from 'zod'

const bodySchema = z.object({ email: z.email() })

export const config = { type: 'api', name: 'Signup', method: 'POST', path: '/signup', emits: [], bodySchema }

export const handler = async (req: { body: z.infer<typeof bodySchema> }) => ({ status: ${status}, body: { email: req.body.email } })
`

let root: string
let hooks: string
let recordZod: string

/** A project whose node_modules has motia-like (this checkout) and the zod given. */
function project(name: string, files: Record<string, string>, zod: 'motia-like' | 'own'): string {
  const dir = join(root, name)
  for (const [file, source] of Object.entries({ 'package.json': JSON.stringify({ name, private: true, type: 'module' }), ...files })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), source)
  }
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(repoRoot, join(dir, 'node_modules', 'motia-like'), 'dir')
  if (zod === 'motia-like') symlinkSync(join(repoRoot, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir')
  return dir
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'motia-like-shared-zod-'))
  hooks = join(root, 'hooks')
  recordZod = hookOptions(hooks, 'record-zod', recordZodLoads)
})

afterAll(() => rmSync(root, { recursive: true, force: true }))

describe("dev gives step files the CLI's own zod", () => {
  it('when they import the same version: validation works, across a reload, and the zod package never loads', async () => {
    const dir = project('same-zod', { 'steps/signup.step.ts': signupStep(201) }, 'motia-like')
    const server = await spawnServer('dev', dir, ['--memory'], { NODE_OPTIONS: recordZod })
    const signup = (email: string) => fetch(`${server.url}/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) })
    try {
      const invalid = await signup('not an email')
      expect(invalid.status).toBe(400)
      expect(JSON.stringify(await invalid.json())).toContain('email')
      expect((await signup('ada@example.com')).status).toBe(201)

      const step = join(dir, 'steps', 'signup.step.ts')
      writeFileSync(`${step}.tmp`, signupStep(202))
      renameSync(`${step}.tmp`, step)
      await eventually(async () => ((await signup('ada@example.com')).status === 202 ? true : undefined))
      expect((await signup('still not an email')).status).toBe(400)
    } finally {
      await server.stop()
    }
    const loads = join(hooks, 'zod-package-loads.txt')
    expect(existsSync(loads) ? readFileSync(loads, 'utf8') : '').toBe('')
  })

  it("keeps a project's own zod when it is another version", async () => {
    const dir = project(
      'other-zod',
      {
        'node_modules/zod/package.json': JSON.stringify({ name: 'zod', version: '3.0.0-other', type: 'module', exports: './index.js' }),
        'node_modules/zod/index.js': "export const z = { copy: 'the project' }\n",
        'steps/which.step.ts': `import { z } from 'zod'

export const config = { type: 'api', name: 'Which', method: 'GET', path: '/which', emits: [] }

export const handler = async () => ({ status: 200, body: { zod: (z as { copy?: string }).copy ?? 'motia-like' } })
`,
      },
      'own',
    )
    const server = await spawnServer('dev', dir, ['--memory'])
    try {
      expect(await (await fetch(`${server.url}/which`)).json()).toEqual({ zod: 'the project' })
    } finally {
      await server.stop()
    }
  })
})
