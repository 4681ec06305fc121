import type { StateStore } from '../../src/state/state-store.ts'
import type { StoreKind } from '../baseline-store.ts'
import { getJson, pollUntil, send } from '../http.ts'
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

/** POST /fanout {run, n}, then polls GET /count/:run until the counting step has seen all n events. */
async function serverRate(url: string, run: string, events: number): Promise<number> {
  const start = performance.now()
  const posted = await send(`${url}/fanout`, 'POST', { run, n: events })
  if (posted.status !== 202) throw new Error(`POST /fanout answered ${posted.status}: ${posted.body.slice(0, 200)}`)
  const done = await pollUntil(async () => (await getJson<{ count: number }>(`${url}/count/${run}`)).count >= events, TIMEOUT_MS)
  if (!done) throw new Error(`Fanout "${run}" did not count ${events} events within ${TIMEOUT_MS} ms.`)
  return events / (since(start) / 1000)
}

/** What the counting step does for each event (one state.set and a counter), in a bare loop. */
async function loopRate(store: StateStore, run: string, events: number): Promise<number> {
  let count = 0
  const start = performance.now()
  for (let i = 0; i < events; i++) {
    await store.set(`fanout-${run}`, String(i), { i })
    count += 1
  }
  if (count !== events) throw new Error('The baseline loop lost events.')
  return events / (since(start) / 1000)
}

/** Events per second through emit -> queue -> counting step, against a bare loop on the same kind of store. */
export async function runFanout(url: string, kind: StoreKind, store: StateStore, settings: FanoutSettings): Promise<Row[]> {
  const { events, runs } = settings
  const warmup = Math.ceil(events / 10)
  await serverRate(url, `${kind}-warm`, warmup)
  await loopRate(store, `${kind}-warm`, warmup)
  const server: number[] = []
  const loop: number[] = []
  for (let run = 0; run < runs; run++) {
    server.push(await serverRate(url, `${kind}-${run}`, events))
    loop.push(await loopRate(store, `${kind}-loop-${run}`, events))
  }
  const { byStatus } = await getJson<JobStats>(`${url}/__motia/jobs/stats`)
  const unsettled = (byStatus['failed'] ?? 0) + (byStatus['dead'] ?? 0)
  return [
    {
      scenario: `fanout (${kind === 'memory' ? '--memory' : 'default store'})`,
      metric: `${events.toLocaleString('en-US')} events`,
      unit: 'events/s',
      value: median(server),
      baseline: median(loop),
      target: { on: 'value', kind: 'min', limit: kind === 'memory' ? 50_000 : 10_000 },
      note:
        `median of ${runs} runs, from POST /fanout to GET /count reaching ${events}; each event does one state.set; ` +
        `baseline: the same state.set calls in a bare loop in-process` +
        (unsettled > 0 ? `; WARNING: ${unsettled} jobs failed or dead` : ''),
    },
  ]
}
