import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadProjectConfig, toRedisSettings } from './project-config.ts'

const dirs: string[] = []
const saved = { ...process.env }

function project(config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'motia-like-config-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
  if (config !== undefined) writeFileSync(join(dir, 'motia-like.config.ts'), config)
  return dir
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  for (const key of ['MOTIA_REDIS_URL', 'MOTIA_REDIS_PREFIX', 'MOTIA_REDIS_LOCK_MS']) {
    if (saved[key] === undefined) delete process.env[key]
    else process.env[key] = saved[key]
  }
})

describe('project config', () => {
  it('uses the embedded store with no config file and no MOTIA_REDIS_URL', async () => {
    delete process.env['MOTIA_REDIS_URL']
    expect(toRedisSettings(await loadProjectConfig(project()))).toBeUndefined()
  })

  it('reads Redis settings from motia-like.config.ts, with the defaults filled in', async () => {
    delete process.env['MOTIA_REDIS_URL']
    const dir = project(`export default { redis: { url: 'redis://cache:6379', prefix: 'shop' } }\n`)
    expect(toRedisSettings(await loadProjectConfig(dir))).toEqual({ url: 'redis://cache:6379', prefix: 'shop', lockDurationMs: 30_000 })
  })

  it('lets the environment win over the file', async () => {
    process.env['MOTIA_REDIS_URL'] = 'redis://env:6379'
    process.env['MOTIA_REDIS_LOCK_MS'] = '2000'
    const dir = project(`export default { redis: { url: 'redis://file:6379', prefix: 'shop' } }\n`)
    expect(toRedisSettings(await loadProjectConfig(dir))).toEqual({ url: 'redis://env:6379', prefix: 'shop', lockDurationMs: 2000 })
  })

  it('names the file, the field and the fix for a bad config', async () => {
    const dir = project(`export default { redis: { url: 'redis://x', prefx: 'typo' } }\n`)
    await expect(loadProjectConfig(dir)).rejects.toThrow(/motia-like\.config\.ts: redis: Unrecognized key: "prefx"\. Fix it, or remove the file/)
  })

  it('refuses a lock duration under a second', () => {
    process.env['MOTIA_REDIS_URL'] = 'redis://env:6379'
    process.env['MOTIA_REDIS_LOCK_MS'] = '10'
    expect(() => toRedisSettings({})).toThrow(/MOTIA_REDIS_LOCK_MS is "10"\. Set it to a whole number of milliseconds, at least 1000/)
  })
})
