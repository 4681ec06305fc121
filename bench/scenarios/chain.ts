import type { StateStore } from '../../src/state/state-store.ts'
import type { StoreKind } from '../baseline-store.ts'
import { getJson, pollUntil, send } from '../http.ts'
import type { Row } from '../report.ts'
import { percentile, since } from '../stats.ts'

export interface ChainSettings {
  samples: number
  warmup: number
}

const TIMEOUT_MS = 5_000

/** POST /chain (or another chain's path), then polls the state group the last step writes until the entry is there. */
export async function timeServerChain(url: string, id: string, path = '/chain'): Promise<number> {
  const start = performance.now()
  const posted = await send(`${url}${path}`, 'POST', { id })
  if (posted.status !== 202) throw new Error(`POST ${path} answered ${posted.status}: ${posted.body.slice(0, 200)}`)
  const written = await pollUntil(async () => {
    const { items } = await getJson<{ items: unknown[] }>(`${url}/__motia/state/chain-${id}`)
    return items.length > 0
  }, TIMEOUT_MS)
  if (!written) throw new Error(`The chain of "${id}" did not write its state entry within ${TIMEOUT_MS} ms.`)
  return since(start)
}

/** The same three hops and state write as plain async calls in this process. */
async function timeDirectChain(store: StateStore, id: string): Promise<number> {
  const last = async (input: { id: string }) => {
    await store.set(`chain-${input.id}`, 'done', { id: input.id, at: Date.now() })
  }
  const second = async (input: { id: string }) => last(input)
  const first = async (input: { id: string }) => second(input)
  const start = performance.now()
  await first({ id })
  return since(start)
}

/** One sequential GET /hello: the floor under any latency observed over HTTP. */
async function timeRoundTrip(url: string): Promise<number> {
  const start = performance.now()
  await send(`${url}/hello`)
  return since(start)
}

async function sample(count: number, time: (id: string) => Promise<number>, prefix: string): Promise<number[]> {
  const timings: number[] = []
  for (let i = 0; i < count; i++) timings.push(await time(`${prefix}-${i}`))
  return timings
}

/** Median and p99 of POST -> 3 event steps -> state write, against direct calls on the same kind of store. */
export async function runChain(url: string, kind: StoreKind, store: StateStore, settings: ChainSettings): Promise<Row[]> {
  const { samples, warmup } = settings
  await sample(warmup, (id) => timeServerChain(url, id), `${kind}-warm`)
  await sample(warmup, (id) => timeDirectChain(store, id), `${kind}-warm`)
  const server = await sample(samples, (id) => timeServerChain(url, id), kind)
  const direct = await sample(samples, (id) => timeDirectChain(store, id), kind)
  const roundTrip = percentile(await sample(samples, () => timeRoundTrip(url), kind), 50)
  const scenario = `chain (${kind === 'memory' ? '--memory' : 'default store'})`
  return [
    {
      scenario,
      metric: 'POST to state entry p50',
      unit: 'ms',
      value: percentile(server, 50),
      baseline: percentile(direct, 50),
      target: { on: 'value', kind: 'max', limit: 2 },
      note:
        `${samples} sequential chains after ${warmup} warm-up, observed by polling /__motia/state ` +
        `(one GET round trip alone: p50 ${roundTrip.toFixed(2)} ms); baseline: three direct async calls and the same state.set in-process`,
    },
    { scenario, metric: 'POST to state entry p99', unit: 'ms', value: percentile(server, 99), baseline: percentile(direct, 99) },
  ]
}
