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
})
