import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createImportGraph, findLocalImports } from './import-graph.ts'

const dir = mkdtempSync(join(tmpdir(), 'import-graph-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function write(path: string, source: string): string {
  const file = join(dir, path)
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, source)
  return file
}

describe('import graph', () => {
  const prices = write('src/lib/prices.ts', 'export const price = 1\n')
  const money = write('src/lib/money.ts', "import { price } from './prices.js'\nexport const total = price\n")
  const index = write('src/lib/index.ts', "export * from './money'\n")
  const pay = write('steps/pay.step.ts', "import type { X } from 'motia-like'\nimport { total } from '../src/lib/money.ts'\n")
  const refund = write('steps/refund.step.ts', "const lib = await import('../src/lib')\nimport z from 'zod'\n")
  const other = write('steps/other.step.ts', "import './side-effect.ts'\n")

  it('finds relative imports in every syntax, resolving TypeScript extensions and index files', () => {
    expect(findLocalImports(money, "import { price } from './prices.js'")).toEqual([prices])
    expect(findLocalImports(refund, "const lib = await import('../src/lib')")).toEqual([index])
    expect(findLocalImports(pay, "import type { X } from 'motia-like'")).toEqual([])
    expect(findLocalImports(other, "import './missing.ts'")).toEqual([])
  })

  it('lists every module that depends on a helper, directly or transitively', () => {
    const graph = createImportGraph()
    graph.update(money, "import { price } from './prices.js'")
    graph.update(index, "export * from './money'")
    graph.update(pay, "import { total } from '../src/lib/money.ts'")
    graph.update(refund, "const lib = await import('../src/lib')")
    expect(graph.dependentsOf(prices)).toEqual(new Set([money, index, pay, refund]))
    expect(graph.dependentsOf(pay)).toEqual(new Set())

    graph.update(pay, 'export const config = {}')
    expect(graph.dependentsOf(prices).has(pay)).toBe(false)
    graph.remove(index)
    expect(graph.dependentsOf(prices)).toEqual(new Set([money]))
  })
})
