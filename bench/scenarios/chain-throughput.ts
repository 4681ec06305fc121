import type { Baseline, StoreKind } from '../baseline-store.ts'
import { getJson, send } from '../http.ts'
import type { Row } from '../report.ts'
import { median, since } from '../stats.ts'

export interface ChainThroughputSettings {
  chains: number
  runs: number
}

const TIMEOUT_MS = 120_000
const HOPS = 3

/** POST /chains {run, n} starts n chains at once; resolves with hops per second once the last step counted all n. */
async function serverRate(url: string, run: string, chains: number): Promise<number> {
  const start = performance.now()
  const posted = await send(`${url}/chains`, 'POST', { run, n: chains })
  if (posted.status !== 202) throw new Error(`POST /chains answered ${posted.status}: ${posted.body.slice(0, 200)}`)
  // A long poll: the server answers once the last step has counted them all.
  const { count } = await getJson<{ count: number }>(`${url}/count/${run}?atLeast=${chains}`)
  if (count < chains) throw new Error(`Chains "${run}" finished ${count} of ${chains} chains within ${TIMEOUT_MS} ms.`)
  return (chains * HOPS) / (since(start) / 1000)
}

/** Events per second through a three-step chain (each hop one event), against the baseline of the same kind of store. */
export async function runChainThroughput(url: string, kind: StoreKind, baseline: Baseline, settings: ChainThroughputSettings): Promise<Row[]> {
  const { chains, runs } = settings
  const warmup = Math.ceil(chains / 10)
  await serverRate(url, `${kind}-chains-warm`, warmup)
  await baseline.chainRate(`${kind}-chains-warm`, warmup)
  const server: number[] = []
  const loop: number[] = []
  for (let run = 0; run < runs; run++) {
    server.push(await serverRate(url, `${kind}-chains-${run}`, chains))
    loop.push(await baseline.chainRate(`${kind}-chains-${run}`, chains))
  }
  return [
    {
      scenario: `chain (${kind === 'memory' ? '--memory' : 'default store'})`,
      metric: `${chains.toLocaleString('en-US')} chains at once`,
      unit: 'events/s',
      value: median(server),
      baseline: median(loop),
      target: { on: 'value', kind: 'min', limit: kind === 'memory' ? 50_000 : 10_000 },
      note:
        `median of ${runs} runs, from POST /chains to the last step counting ${chains}; ${HOPS} events per chain; ` +
        `baseline: ${baseline.describe.chain}`,
    },
  ]
}
