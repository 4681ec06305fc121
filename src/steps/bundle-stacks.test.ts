import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mapStacksOf } from './bundle-stacks.ts'

const source = `export function fails(): never {
  const reason = 'failing on purpose'
  throw new Error(reason)
}
`

let root: string
let bundle: string
const before = Error.prepareStackTrace

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'motia-like-stacks-'))
  mkdirSync(join(root, 'steps'))
  writeFileSync(join(root, 'steps', 'fails.step.ts'), source)
  // CommonJS, so Node requires it itself (an import here would go through the test runner's transform);
  // the built ES module of a real start is covered in test/build.test.ts. Two lines of banner, so a frame
  // left unmapped would name other lines than the source's.
  bundle = join(root, 'build', 'index.cjs')
  await build({ entryPoints: [join(root, 'steps', 'fails.step.ts')], outfile: bundle, bundle: true, format: 'cjs', platform: 'node', sourcemap: 'linked', banner: { js: '// one\n// two' } })
})

afterAll(() => {
  Error.prepareStackTrace = before
  rmSync(root, { recursive: true, force: true })
})

describe('mapStacksOf', () => {
  it('names the source file, line and column of a frame in the bundle, and leaves other stacks to the formatter before', () => {
    const plain = new Error('plain')
    const expected = String(plain.stack)
    mapStacksOf(bundle)
    const { fails } = createRequire(import.meta.url)(bundle) as { fails: () => never }
    let stack = ''
    try {
      fails()
    } catch (error) {
      stack = String((error as Error).stack)
    }
    expect(stack.split('\n')[0]).toBe('Error: failing on purpose')
    expect(stack.split('\n')[1]).toBe(`    at fails (${join(root, 'steps', 'fails.step.ts')}:3:9)`)
    expect(stack).not.toContain('index.cjs')

    // A stack that does not pass through the bundle is left to the formatter before (here the test runner's).
    const again = new Error('plain')
    expect(String(again.stack).replace(/:\d+:\d+/, '')).toBe(expected.replace(/:\d+:\d+/, ''))
    const line = readFileSync(import.meta.filename, 'utf8').split('\n').findIndex((text) => text.includes("const again = new Error('plain')")) + 1
    expect(String(again.stack).split('\n')[1]).toContain(`bundle-stacks.test.ts:${line}:`)
  })
})
