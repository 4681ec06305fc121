import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadProjectConfig } from './project-config.ts'

const dirs: string[] = []

/** A project folder with a motia-like.config.ts; CommonJS unless `type` says otherwise. */
function project(config: string, type?: 'module'): string {
  const dir = mkdtempSync(join(tmpdir(), 'motia-like-cors-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify(type ? { type } : { name: 'cjs' }))
  writeFileSync(join(dir, 'motia-like.config.ts'), config)
  return dir
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('cors in motia-like.config.ts', () => {
  it('reads the settings, in a CommonJS project as in an ES module one', async () => {
    const text = `export default { cors: { origins: ['http://localhost:5173'], methods: ['GET', 'POST'], credentials: true } }\n`
    const expected = { origins: ['http://localhost:5173'], methods: ['GET', 'POST'], credentials: true }
    expect((await loadProjectConfig(project(text))).cors).toEqual(expected)
    expect((await loadProjectConfig(project(text, 'module'))).cors).toEqual(expected)
  })

  it('refuses credentials with any origin, naming the field and the fix', async () => {
    const dir = project(`export default { cors: { origins: '*', credentials: true } }\n`)
    await expect(loadProjectConfig(dir)).rejects.toThrow(
      `${join(dir, 'motia-like.config.ts')}: cors.credentials: credentials: true needs the origins listed, as browsers refuse credentials with "*". Fix it, or remove the file to use the defaults.`,
    )
  })

  it('refuses an origin with a path', async () => {
    const dir = project(`export default { cors: { origins: ['http://localhost:5173/app'] } }\n`)
    await expect(loadProjectConfig(dir)).rejects.toThrow(/cors\.origins\.0: is an origin such as "http:\/\/localhost:5173"/)
  })
})
