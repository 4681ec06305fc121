import { send } from '../http.ts'
import type { Row } from '../report.ts'
import { type ServerProcess, spawnBareExpress, spawnCli } from '../server.ts'
import { median, since } from '../stats.ts'

export interface ColdStartSettings {
  runs: number
  /** Project folders by their number of step files. */
  projects: { steps: number; dir: string }[]
  /** Step count whose start must stay under the target. */
  targetSteps: number
}

const TARGET_MS = 1_500

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

const commands = ['start', 'dev'] as const

/** `motia-like start` and `dev` on projects of several sizes, against `node -e` of an express hello. */
export async function runColdStart(settings: ColdStartSettings): Promise<Row[]> {
  const { runs, projects, targetSteps } = settings
  const bare: number[] = []
  const cases = commands.flatMap((command) => projects.map(({ steps, dir }) => ({ command, steps, dir, timings: [] as number[] })))
  for (let run = 0; run < runs; run++) {
    bare.push(await timeToFirst200(spawnBareExpress))
    for (const { command, dir, timings } of cases) timings.push(await timeToFirst200(() => spawnCli(command, dir)))
  }
  const baseline = median(bare)
  return cases.map(({ command, steps, timings }) => {
    return {
      scenario: 'cold start',
      metric: `${command}, ${steps} step files`,
      unit: 'ms',
      value: median(timings),
      baseline,
      ...(steps === targetSteps ? { target: { on: 'value', kind: 'max', limit: TARGET_MS } as const } : {}),
      note: `spawn to first 200 of GET /hello, median of ${runs} (first ${Math.round(timings[0] ?? 0)} ms); baseline: node -e of an express hello`,
    }
  })
}
