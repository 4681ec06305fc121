import { execFileSync } from 'node:child_process'
import { utimesSync } from 'node:fs'
import { join } from 'node:path'
import { send } from '../http.ts'
import type { Row } from '../report.ts'
import { repoRoot, type ServerProcess, spawnBareExpress, spawnCli } from '../server.ts'
import { median, since } from '../stats.ts'

export interface ColdStartSettings {
  runs: number
  /** Project folders by their number of step files. */
  projects: { steps: number; dir: string }[]
  /** Step count whose start must stay under the target. */
  targetSteps: number
}

/** Where the pre-built case's build goes: not the default folder, so plain `start` finds no build and loads the sources. */
const PREBUILT_DIR = '.motia-like/bench-build'

interface Command {
  label: string
  mode: 'start' | 'dev'
  extra: string[]
  targetMs?: number
  /** Done to the project before each run, outside the timing. */
  prepare?: (dir: string) => void
  note?: string
}

/** A new modification time on one step file: the sources no longer match the start cache. */
function touchStep(dir: string): void {
  const now = new Date()
  utimesSync(join(dir, 'steps', 'hello.step.ts'), now, now)
}

const commands: Command[] = [
  { label: 'start', mode: 'start', extra: [], targetMs: 600, note: 'the first run compiles the start cache, later ones reuse it' },
  { label: 'dev', mode: 'dev', extra: [], targetMs: 1_500 },
  { label: 'start of a pre-built project', mode: 'start', extra: ['--build', PREBUILT_DIR], targetMs: 400 },
  { label: 'start, first run after a change', mode: 'start', extra: [], prepare: touchStep, note: 'a step file touched before each run, so each compiles the start cache' },
]

/** Runs `motia-like build` into PREBUILT_DIR; returns how long it took. */
function buildProject(dir: string): number {
  const started = performance.now()
  execFileSync(process.execPath, [join(repoRoot, 'bin', 'motia-like.js'), 'build', '--dir', dir, '--out', PREBUILT_DIR], { stdio: 'ignore' })
  return since(started)
}

/** Spawn to the first 200 answer of GET /hello, then stops the process. */
async function timeToFirst200(spawnServer: () => Promise<ServerProcess>): Promise<number> {
  const server = await spawnServer()
  try {
    const { status, body } = await send(`${server.url}/hello`)
    if (status !== 200) throw new Error(`GET /hello answered ${status} after start: ${body.slice(0, 200)}`)
    return since(server.spawnedAt)
  } finally {
    await server.stop()
  }
}

/**
 * `motia-like start` (no build in the default folder: from its start cache), `dev`, `start` of the
 * project built beforehand, and `start` right after a source file changed (the cache compiled again),
 * on projects of several sizes, against `node -e` of an express hello.
 */
export async function runColdStart(settings: ColdStartSettings): Promise<Row[]> {
  const { runs, projects, targetSteps } = settings
  const buildMs = new Map(projects.map(({ dir }) => [dir, buildProject(dir)]))
  const bare: number[] = []
  const cases = commands.flatMap((command) => projects.map(({ steps, dir }) => ({ command, steps, dir, timings: [] as number[] })))
  for (let run = 0; run < runs; run++) {
    bare.push(await timeToFirst200(spawnBareExpress))
    for (const { command, dir, timings } of cases) {
      command.prepare?.(dir)
      timings.push(await timeToFirst200(() => spawnCli(command.mode, dir, command.extra)))
    }
  }
  const baseline = median(bare)
  return cases.map(({ command, steps, dir, timings }) => {
    const built = command.extra.length > 0 ? `; \`motia-like build\` took ${Math.round(buildMs.get(dir) ?? 0)} ms before the runs` : ''
    return {
      scenario: 'cold start',
      metric: `${command.label}, ${steps} step files`,
      unit: 'ms',
      value: median(timings),
      baseline,
      ...(steps === targetSteps && command.targetMs !== undefined ? { target: { on: 'value', kind: 'max', limit: command.targetMs } as const } : {}),
      note: `spawn to first 200 of GET /hello, median of ${runs} (first ${Math.round(timings[0] ?? 0)} ms)${command.note ? `; ${command.note}` : ''}; baseline: node -e of an express hello${built}`,
    }
  })
}
