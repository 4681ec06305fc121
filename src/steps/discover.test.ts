import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { discoverStepFiles } from './discover.ts'

const dir = mkdtempSync(join(tmpdir(), 'discover-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('discovering step files', () => {
  it('does not follow a symlinked folder that loops back to a parent, and finds a symlinked file', async () => {
    mkdirSync(join(dir, 'steps', 'orders'), { recursive: true })
    mkdirSync(join(dir, 'shared'))
    writeFileSync(join(dir, 'steps', 'orders', 'create.step.ts'), '')
    writeFileSync(join(dir, 'shared', 'audit.step.ts'), '')
    symlinkSync(join(dir, 'steps'), join(dir, 'steps', 'orders', 'loop'), 'dir')
    symlinkSync(join(dir, 'shared', 'audit.step.ts'), join(dir, 'steps', 'audit.step.ts'))
    expect(await discoverStepFiles(dir)).toEqual([join(dir, 'steps', 'audit.step.ts'), join(dir, 'steps', 'orders', 'create.step.ts')])
  })

  it('skips a symlinked step file whose target is gone', async () => {
    const project = join(dir, 'broken')
    mkdirSync(join(project, 'steps'), { recursive: true })
    writeFileSync(join(project, 'steps', 'kept.step.ts'), '')
    symlinkSync(join(project, 'gone.step.ts'), join(project, 'steps', 'gone.step.ts'))
    expect(await discoverStepFiles(project)).toEqual([join(project, 'steps', 'kept.step.ts')])
  })

  it('skips node_modules, dist and dot-folders under the roots, and dot-files', async () => {
    const project = join(dir, 'skips')
    for (const folder of ['src/node_modules/pkg', 'src/dist', 'src/.motia-like/cache', 'src/flows']) mkdirSync(join(project, folder), { recursive: true })
    for (const file of ['src/node_modules/pkg/a.step.ts', 'src/dist/b.step.js', 'src/.motia-like/cache/c.step.mjs', 'src/.hidden.step.ts', 'src/flows/d_step.py', 'src/flows/e.stream.ts']) {
      writeFileSync(join(project, file), '')
    }
    expect(await discoverStepFiles(project)).toEqual([join(project, 'src', 'flows', 'd_step.py')])
  })
})
