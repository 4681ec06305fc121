import { send, pollUntil } from '../http.ts'
import { helloStep, writeStep } from '../project.ts'
import type { Row } from '../report.ts'
import { spawnCli } from '../server.ts'
import { median, since } from '../stats.ts'

export interface ReloadSettings {
  dir: string
  steps: number
  edits: number
}

const TIMEOUT_MS = 5_000
const TARGET_MS = 150
/**
 * Least time between two writes of the file. chokidar drops a change event that comes within 50 ms of
 * the previous one for the same path, so back-to-back edits would measure that throttle, not a reload.
 */
const MIN_EDIT_GAP_MS = 100

/** Resolves once `gapMs` has passed since `since` (a `performance.now()` reading). */
function paceAfter(since: number, gapMs: number): Promise<void> {
  const wait = since + gapMs - performance.now()
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve()
}

/** Rewrites steps/hello.step.ts with a new message and times until GET /hello serves it; null if it never does. */
async function timeEdit(url: string, dir: string, message: string): Promise<number | null> {
  const start = performance.now()
  writeStep(dir, 'hello.step.ts', helloStep(message))
  const expected = JSON.stringify({ message })
  const served = await pollUntil(async () => (await send(`${url}/hello`)).body === expected, TIMEOUT_MS)
  return served ? since(start) : null
}

/** `motia-like dev` on a large project: how long an edited API step takes to be served. */
export async function runReload(settings: ReloadSettings): Promise<Row[]> {
  const { dir, steps, edits } = settings
  const server = await spawnCli('dev', dir)
  const row = { scenario: 'reload', metric: `dev, ${steps} step files, edit to new answer`, unit: 'ms' }
  const target = { on: 'value', kind: 'max', limit: TARGET_MS } as const
  try {
    if ((await timeEdit(server.url, dir, 'warm-up edit')) === null) {
      return [{ ...row, value: null, target, note: `dev did not serve the edited step within ${TIMEOUT_MS / 1000} s: hot reload is not available` }]
    }
    const timings: number[] = []
    let missed = 0
    let lastWrite = performance.now()
    for (let edit = 0; edit < edits; edit++) {
      await paceAfter(lastWrite, MIN_EDIT_GAP_MS)
      lastWrite = performance.now()
      const elapsed = await timeEdit(server.url, dir, `edit number ${edit}`)
      if (elapsed === null) missed += 1
      else timings.push(elapsed)
    }
    const lost = missed ? `; ${missed} edits never served within ${TIMEOUT_MS / 1000} s` : ''
    const note = `median of ${timings.length} edits after a warm-up edit, writes at least ${MIN_EDIT_GAP_MS} ms apart${lost}`
    return [{ ...row, value: timings.length ? median(timings) : null, target, note }]
  } finally {
    await server.stop()
  }
}
