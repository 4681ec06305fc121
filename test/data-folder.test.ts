import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from './helpers/spawn-cli.ts'
import { copyFixture } from './helpers/start-fixture.ts'

const bin = resolve(import.meta.dirname, '..', 'bin', 'motia-like.js')
const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

/** Makes a folder read-only even for root (chattr +i), else by its mode; false when writes still succeed. */
function makeReadOnly(dir: string): boolean {
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' })
    cleanups.push(() => execFileSync('chattr', ['-i', dir], { stdio: 'ignore' }))
  } catch {
    chmodSync(dir, 0o555)
    cleanups.push(() => chmodSync(dir, 0o755))
  }
  try {
    writeFileSync(join(dir, 'probe'), '')
    rmSync(join(dir, 'probe'))
    return false
  } catch {
    return true
  }
}

/** True when this machine lets a user namespace mount a tmpfs (the full-disk test needs one). */
function canMountTmpfs(): boolean {
  try {
    execFileSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=4k tmpfs /mnt'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('a data folder that cannot be written, at start', () => {
  it('is one line naming the file and the cause when read-only', async (context) => {
    const project = copyFixture('runtime')
    cleanups.push(project.remove)
    const data = join(project.dir, '.motia-like')
    mkdirSync(data)
    if (!makeReadOnly(data)) context.skip()
    const { code, stderr } = await runCli(['start', '--dir', project.dir, '--port', '0'], project.dir)
    expect(code).toBe(1)
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^motia-like: Cannot open ${data}/data.db for writing: ${data} is read-only or not writable \\(.*\\)\\. Make it writable, or run with --memory or another --dir\\.$`)),
    ])
  })

  it.skipIf(!canMountTmpfs())('is one line naming the file and the cause when the disk is full', async () => {
    const project = copyFixture('runtime')
    cleanups.push(project.remove)
    const data = join(project.dir, '.motia-like')
    mkdirSync(data)
    const script = `mount -t tmpfs -o size=4k tmpfs "${data}" && exec "${process.execPath}" "${bin}" start --dir "${project.dir}" --port 0`
    const child = spawn('unshare', ['-rm', 'sh', '-c', script], { env: { ...process.env, NO_COLOR: '1' } })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const [code] = (await once(child, 'exit')) as [number]
    expect(code).toBe(1)
    expect(stderr.trim().split('\n')).toEqual([
      `motia-like: Cannot write ${data}/data.db: the disk is full (database or disk is full). Free some space, or run with --memory or another --dir.`,
    ])
  })
})
