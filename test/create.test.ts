import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProject, listTemplates } from '../src/create/create-project.ts'
import { eventually, runCli } from './helpers/spawn-cli.ts'

const repoRoot = resolve(import.meta.dirname, '..')
const root = mkdtempSync(join(tmpdir(), 'motia-like-create-'))
const projects = { basic: join(root, 'my-app'), jobs: join(root, 'jobs-app'), realtime: join(root, 'realtime-app') }

/** The environment without what the outer `npm test` set, so the inner npm behaves as in a fresh shell. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')))

async function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const child = spawn(command, args, { cwd, env: { ...cleanEnv, NO_COLOR: '1', CI: 'true' } })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const [code] = (await once(child, 'exit')) as [number]
  return { code, output }
}

// Everything it installs is already in the npm cache after the checkout's own install.
// No install scripts: a `file:` dependency on this checkout would run its `prepare` (the build) once per
// project, at the same time, while other tests run the dist/ the test setup already built.
const install = (dir: string) => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], dir)

let created: Awaited<ReturnType<typeof runCli>>
beforeAll(async () => {
  created = await runCli(['create', 'my-app'], root)
  expect(created.code).toBe(0)
  createProject({ dir: projects.jobs, template: 'background-jobs' })
  createProject({ dir: projects.realtime, template: 'realtime-todo' })
  const installs = await Promise.all([install(projects.basic), install(projects.jobs), install(projects.realtime)])
  for (const result of installs) expect(result.code, result.output).toBe(0)
}, 240_000)
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('motia-like create', () => {
  it('prints the two commands to run next and depends on this checkout', () => {
    expect(created.stdout).toBe(
      `Created my-app from the basic template (motia-like file:${repoRoot}).\n\nNext:\n  cd my-app && npm install\n  npm run dev\n`,
    )
    const pkg = JSON.parse(readFileSync(join(projects.basic, 'package.json'), 'utf8')) as Record<string, Record<string, string>>
    expect(pkg['name']).toBe('my-app')
    expect(pkg['dependencies']?.['motia-like']).toBe(`file:${repoRoot}`)
    expect(readFileSync(join(projects.basic, '.gitignore'), 'utf8')).toContain('node_modules/')
  })

  it("installs and passes its own tests, for each template", async () => {
    for (const [dir, passed] of [
      [projects.basic, 'Tests  4 passed (4)'],
      [projects.jobs, 'Tests  7 passed (7)'],
      [projects.realtime, 'Tests  3 passed (3)'],
    ] as const) {
      const { code, output } = await run('npm', ['test'], dir)
      expect(code, output).toBe(0)
      expect(output.replace(/\s+/g, ' ')).toContain(passed.replace(/\s+/g, ' '))
    }
  }, 120_000)

  it('starts with its installed CLI and serves the flow', async () => {
    const bin = join(projects.basic, 'node_modules', '.bin', 'motia-like')
    const child: ChildProcess = spawn(bin, ['start', '--port', '0', '--memory'], { cwd: projects.basic, env: { ...cleanEnv, NO_COLOR: '1' } })
    try {
      let output = ''
      const url = await new Promise<string>((resolveUrl, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          const match = /ready at (http:\/\/\S+)/.exec(output)
          if (match?.[1]) resolveUrl(match[1])
        })
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)))
      })
      expect(output).toMatch(/POST\s+\/hello\s+SayHello/)
      const res = await fetch(`${url}/hello`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada"}' })
      expect(res.status).toBe(202)
      const greeted = await eventually(async () => {
        const body = (await (await fetch(`${url}/__motia/state/greetings`)).json()) as { items: { key: string }[] }
        return body.items.length > 0 ? body.items : undefined
      })
      expect(greeted.map((item) => item.key)).toEqual(['Ada'])
    } finally {
      child.kill('SIGTERM')
      if (child.exitCode === null) await once(child, 'exit')
    }
  }, 60_000)

  it('refuses a non-empty folder and an unknown template, naming the fix', () => {
    const busy = join(root, 'busy')
    mkdirSync(busy)
    writeFileSync(join(busy, 'notes.txt'), 'keep me')
    expect(() => createProject({ dir: busy })).toThrow(`${busy} is not empty. Choose a new folder name, or empty this one first.`)
    expect(readFileSync(join(busy, 'notes.txt'), 'utf8')).toBe('keep me')
    expect(listTemplates()).toEqual(['background-jobs', 'basic', 'realtime-todo'])
    expect(() => createProject({ dir: join(root, 'x'), template: 'nope' })).toThrow(
      'Unknown template "nope". Choose one of: background-jobs, basic, realtime-todo.',
    )
  })
})
