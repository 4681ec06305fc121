import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repoRoot = resolve(import.meta.dirname, '..')
const root = mkdtempSync(join(tmpdir(), 'motia-like-package-'))
const consumer = join(root, 'app')
const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name)

/** The environment without what the outer `npm test` set, so the inner npm behaves as in a fresh shell. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')))

/** Runs a command; resolves with its exit code and everything it printed. */
async function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { cwd, env: { ...cleanEnv, NO_COLOR: '1', CI: 'true' } })
    return { code: 0, output: stdout + stderr }
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` }
  }
}

let tarball = ''
beforeAll(async () => {
  // dist/ is built by the test setup; packing must not rebuild it while other tests read it.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', root], repoRoot)
  expect(packed.code, packed.output).toBe(0)
  tarball = join(root, packed.output.trim().split('\n').at(-1) ?? '')
  // A project made from the basic template, depending on the packed tarball as it would on the registry's copy.
  cpSync(join(repoRoot, 'templates', 'basic'), consumer, { recursive: true })
  const pkgFile = join(consumer, 'package.json')
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { dependencies: Record<string, string> }
  pkg.dependencies['motia-like'] = `file:${tarball}`
  writeFileSync(pkgFile, JSON.stringify(pkg, null, 2))
  // Everything it installs is in the npm cache after the checkout's own install. No install scripts: the
  // native SQLite build is not needed to import the package or run the template's tests (memory backend).
  const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], consumer)
  expect(installed.code, installed.output).toBe(0)
}, 240_000)
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('the npm package', () => {
  it('ships compiled JavaScript, types and the runners, and no TypeScript source or tests', async () => {
    const listed = await run('tar', ['-tzf', tarball], root)
    const files = listed.output.split('\n').filter(Boolean)
    expect(files).toContain('package/dist/index.js')
    expect(files).toContain('package/dist/index.d.ts')
    expect(files).toContain('package/dist/testing/index.js')
    expect(files).toContain('package/dist/python/runner.py')
    expect(files).toContain('package/dist/ruby/runner.rb')
    expect(files).toContain('package/dist/workbench/ui/index.html')
    expect(files.filter((file) => file.startsWith('package/src/') || file.endsWith('.test.js'))).toEqual([])
  })

  it('imports from plain Node as ES modules and through require', async () => {
    const esm = await run(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('motia-like'); const t = await import('motia-like/testing'); console.log(typeof m.defineStep, typeof t.createTester)"],
      consumer,
    )
    expect(esm.output.trim()).toBe('function function')
    writeFileSync(join(consumer, 'load.cjs'), "const { defineStep, NonRetriableError } = require('motia-like')\nconsole.log(typeof defineStep, new NonRetriableError('x').code)\n")
    const cjs = await run(process.execPath, ['load.cjs'], consumer)
    expect(cjs.output.trim()).toBe('function NON_RETRIABLE')
  })

  it("gives motia-like/zod's other locales on first use, loaded from the installed zod", async () => {
    const script = [
      "const { z } = await import('motia-like/zod')",
      'const message = () => z.number().safeParse("x").error.issues[0].message',
      'const english = message()',
      'z.config(z.locales.fr())',
      'console.log(english, "|", message())',
    ].join('\n')
    const localized = await run(process.execPath, ['--input-type=module', '-e', script], consumer)
    expect(localized.output.trim()).toBe('Invalid input: expected number, received string | Entrée invalide : nombre attendu, chaîne de caractères reçu')
  })

  it('type-checks step files against the installed declarations, and catches a wrong one', async () => {
    const ok = await run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', '.'], consumer)
    expect(ok.code, ok.output).toBe(0)
    writeFileSync(
      join(consumer, 'steps', 'wrong.step.ts'),
      "import type { ApiRouteConfig } from 'motia-like'\nexport const config = { type: 'api', name: 'Wrong', path: '/w', method: 'FETCH' } satisfies ApiRouteConfig\n",
    )
    const wrong = await run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', '.'], consumer)
    rmSync(join(consumer, 'steps', 'wrong.step.ts'))
    expect(wrong.code).not.toBe(0)
    expect(wrong.output).toContain('steps/wrong.step.ts')
    expect(wrong.output).toContain('"FETCH"')
  })

  it("runs the template's own vitest suite with no inline setting", async () => {
    expect(readFileSync(join(consumer, 'vitest.config.ts'), 'utf8')).not.toContain('inline')
    const tested = await run('npm', ['test'], consumer)
    expect(tested.code, tested.output).toBe(0)
    expect(tested.output).toMatch(/Tests\s+4 passed/)
  }, 120_000)

  it('passes the package linters publint and arethetypeswrong', async () => {
    const lint = await run(bin('publint'), ['run', '--strict', '--pack', 'false', repoRoot], repoRoot)
    expect(lint.code, lint.output).toBe(0)
    const types = await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii'], repoRoot)
    expect(types.code, types.output).toBe(0)
  }, 60_000)
})
