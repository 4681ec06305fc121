import type { Baseline, FanoutMode, StoreKind } from '../baseline-store.ts'
import { getJson, send } from '../http.ts'
import type { Row } from '../report.ts'
import { median, since } from '../stats.ts'

export interface FanoutSettings {
  events: number
  runs: number
}

const TIMEOUT_MS = 120_000

interface JobStats {
  byStatus: Record<string, number>
}

/** POST /fanout {run, n, mode}, then waits on GET /count/:run?atLeast=n until the counting step has seen all n events. */
export async function serverRate(url: string, run: string, events: number, mode: FanoutMode): Promise<number> {
  const start = performance.now()
  const posted = await send(`${url}/fanout`, 'POST', { run, n: events, mode })
  if (posted.status !== 202) throw new Error(`POST /fanout answered ${posted.status}: ${posted.body.slice(0, 200)}`)
  // A long poll: the server answers once the counting step has seen them all.
  const { count } = await getJson<{ count: number }>(`${url}/count/${run}?atLeast=${events}`)
  if (count < events) throw new Error(`Fanout "${run}" counted ${count} of ${events} events within ${TIMEOUT_MS} ms.`)
  return events / (since(start) / 1000)
}

/** Events per second through emit -> queue -> counting step, against the baseline of the same kind of store. */
export async function runFanout(url: string, kind: StoreKind, mode: FanoutMode, baseline: Baseline, settings: FanoutSettings): Promise<Row[]> {
  const { events, runs } = settings
  const warmup = Math.ceil(events / 10)
  const name = `${kind}-${mode}`
  await serverRate(url, `${name}-warm`, warmup, mode)
  await baseline.fanoutRate(`${name}-warm`, warmup, mode)
  const server: number[] = []
  const loop: number[] = []
  for (let run = 0; run < runs; run++) {
    server.push(await serverRate(url, `${name}-${run}`, events, mode))
    loop.push(await baseline.fanoutRate(`${name}-${run}`, events, mode))
  }
  const { byStatus } = await getJson<JobStats>(`${url}/__motia/jobs/stats`)
  const unsettled = (byStatus['failed'] ?? 0) + (byStatus['dead'] ?? 0)
  const how = mode === 'sequential' ? 'each emit awaited before the next' : 'all emits at once (Promise.all)'
  return [
    {
      scenario: `fanout (${kind === 'memory' ? '--memory' : 'default store'})`,
      metric: `${events.toLocaleString('en-US')} events, ${mode}`,
      unit: 'events/s',
      value: median(server),
      baseline: median(loop),
      // SQLite's emits made together hold the ratio to the bare loop (≥ 0.85×); the other rows a rate.
      target:
        kind !== 'memory' && mode === 'together'
          ? { on: 'ratio', kind: 'min', limit: 0.85 }
          : { on: 'value', kind: 'min', limit: kind === 'memory' ? 50_000 : 10_000 },
      note:
        `median of ${runs} runs, from POST /fanout (${how}) to GET /count reaching ${events}; each event does one state.set; ` +
        `baseline: ${baseline.describe.fanout(mode)}` +
        (unsettled > 0 ? `; WARNING: ${unsettled} jobs failed or dead` : ''),
    },
  ]
}
