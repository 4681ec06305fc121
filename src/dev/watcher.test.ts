import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Logger } from '../types.ts'
import type { FileChange } from './reloader.ts'
import { createWatcher, toModifiedTimes } from './watcher.ts'

const dir = mkdtempSync(join(tmpdir(), 'watcher-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const logger: Logger = { info() {}, warn() {}, debug() {}, error() {} }

describe('the dev watcher', () => {
  it('reports a file saved after the project loaded and before the watcher was ready', async () => {
    mkdirSync(join(dir, 'steps'))
    const untouched = join(dir, 'steps', 'untouched.step.ts')
    const edited = join(dir, 'steps', 'edited.step.ts')
    writeFileSync(untouched, 'export const version = 1\n')
    writeFileSync(edited, 'export const version = 1\n')
    const loaded = await toModifiedTimes(dir)
    expect([...loaded.keys()].sort()).toEqual([edited, untouched])
    // The save of the window: after the load, before chokidar's first scan ends. The time is set, as a
    // file system with coarse timestamps might not move it within one test.
    writeFileSync(edited, 'export const version = 2\n')
    utimesSync(edited, new Date(), new Date((loaded.get(edited) as number) + 5_000))
    let report: (changes: FileChange[]) => void = () => {}
    const reported = new Promise<FileChange[]>((resolve) => (report = resolve))
    const watcher = createWatcher(dir, { onChanges: async (changes) => report(changes), onRestart: async () => {} }, logger, { loaded })
    try {
      await watcher.ready
      const changes = await Promise.race([
        reported,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no change reported within 5 s')), 5_000)),
      ])
      expect(changes).toEqual([{ file: edited, kind: 'change' }])
    } finally {
      await watcher.close()
    }
  })
})
