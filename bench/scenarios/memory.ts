import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { Row } from '../report.ts'
import { repoRoot, rssMb, type ServerProcess, spawnBareExpress, spawnCli } from '../server.ts'

/** Added to the environment of the servers whose idle RSS is read: SIGUSR2 runs a full GC (bench/gc-on-signal.cjs). */
export const GC_ON_SIGNAL_ENV = { NODE_OPTIONS: `--expose-gc --require ${join(repoRoot, 'bench', 'gc-on-signal.cjs')}` }

const GC_TIMEOUT_MS = 10_000

/** An idle reading: RSS (MB) as the server printed its ready line, and after a full GC. */
export interface IdleRss {
  atReady: number
  afterGc: number
}

/** Reads a server's RSS now, then asks it for a full GC (it must run with GC_ON_SIGNAL_ENV) and reads it again. */
export async function idleRss(server: ServerProcess): Promise<IdleRss> {
  const atReady = rssMb(server.pid)
  const done = (text: string) => text.split('bench: gc done').length - 1
  const before = done(server.output())
  process.kill(server.pid, 'SIGUSR2')
  const deadline = Date.now() + GC_TIMEOUT_MS
  while (done(server.output()) === before) {
    if (Date.now() > deadline) throw new Error(`Server ${server.pid} did not answer SIGUSR2 with a GC within ${GC_TIMEOUT_MS / 1000} s.`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return { atReady, afterGc: rssMb(server.pid) }
}

/** RSS readings (MB) taken by the run at the right moments. */
export interface RssReadings {
  bareIdle: IdleRss
  bareAfterLoad: number
  memoryIdle: IdleRss
  defaultIdle: IdleRss
  memoryAfterFanout?: number
  defaultAfterFanout?: number
}

const IDLE_TARGETS_MB = { memory: 80, default: 90 } as const

/** Memory rows: idle after ready and a full GC, and after the fanout runs, against the bare express process. */
export function memoryRows(rss: RssReadings): Row[] {
  const idle = (label: string, reading: IdleRss, limit: number): Row => ({
    scenario: 'memory',
    metric: `RSS idle (${label})`,
    unit: 'MB',
    value: reading.afterGc,
    baseline: rss.bareIdle.afterGc,
    target: { on: 'value', kind: 'max', limit },
    note: `after the ready line and a full GC (SIGUSR2, --expose-gc), both sides; ${reading.atReady.toFixed(1)} MB before the GC (bare express ${rss.bareIdle.atReady.toFixed(1)} MB)`,
  })
  const rows: Row[] = [idle('--memory', rss.memoryIdle, IDLE_TARGETS_MB.memory), idle('default store', rss.defaultIdle, IDLE_TARGETS_MB.default)]
  const note = 'after the warm-up and timed fanout runs (jobs kept by the queue); baseline: bare express after its api load'
  if (rss.memoryAfterFanout !== undefined) {
    rows.push({ scenario: 'memory', metric: 'RSS after fanout (--memory)', unit: 'MB', value: rss.memoryAfterFanout, baseline: rss.bareAfterLoad, note })
  }
  if (rss.defaultAfterFanout !== undefined) {
    rows.push({ scenario: 'memory', metric: 'RSS after fanout (default store)', unit: 'MB', value: rss.defaultAfterFanout, baseline: rss.bareAfterLoad, note })
  }
  return rows
}

/** Where the pre-built memory projects are built: `start --build` reads it. */
const BUILD_DIR = '.motia-like/build'

/**
 * Idle RSS of `start` on projects built beforehand (`motia-like build`), on memory and on SQLite,
 * beside the bare express process, each read after its ready line and a full GC.
 */
export async function runBuiltIdleRss(dirs: { memory: string; sqlite: string }): Promise<Row[]> {
  const cli = join(repoRoot, 'bin', 'motia-like.js')
  for (const dir of [dirs.memory, dirs.sqlite]) {
    execFileSync(process.execPath, [cli, 'build', '--dir', dir, '--out', BUILD_DIR], { stdio: 'ignore' })
  }
  const servers = await Promise.all([
    spawnBareExpress(GC_ON_SIGNAL_ENV),
    spawnCli('start', dirs.memory, ['--memory', '--build', BUILD_DIR], GC_ON_SIGNAL_ENV),
    spawnCli('start', dirs.sqlite, ['--build', BUILD_DIR], GC_ON_SIGNAL_ENV),
  ])
  try {
    const [bare, memory, sqlite] = [await idleRss(servers[0]), await idleRss(servers[1]), await idleRss(servers[2])]
    const row = (label: string, reading: IdleRss, limit: number): Row => ({
      scenario: 'memory',
      metric: `RSS idle, pre-built project (${label})`,
      unit: 'MB',
      value: reading.afterGc,
      baseline: bare.afterGc,
      target: { on: 'value', kind: 'max', limit },
      note: `\`motia-like build\`, then start; after the ready line and a full GC, both sides; ${reading.atReady.toFixed(1)} MB before the GC`,
    })
    return [row('--memory', memory, IDLE_TARGETS_MB.memory), row('default store', sqlite, IDLE_TARGETS_MB.default)]
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }
}
