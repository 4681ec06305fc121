import type { Row } from '../report.ts'
import { percentile } from '../stats.ts'
import { timeServerChain } from './chain.ts'

export interface WorkerChainSettings {
  samples: number
  warmup: number
}

/** A chain whose first event step runs in worker processes: its language and path. */
export interface WorkerChain {
  language: 'Python' | 'Ruby'
  path: string
}

/**
 * Median and p99 of POST -> 3 event steps -> state write when the first event step is Python or
 * Ruby, against the all-TypeScript chain on the same server, sampled alternately in the same run.
 */
export async function runWorkerChain(url: string, chain: WorkerChain, settings: WorkerChainSettings): Promise<Row[]> {
  const { samples, warmup } = settings
  const worker: number[] = []
  const typescript: number[] = []
  const prefix = chain.language.toLowerCase()
  for (let i = 0; i < warmup + samples; i++) {
    const workerTime = await timeServerChain(url, `${prefix}-${i}`, chain.path)
    const typescriptTime = await timeServerChain(url, `ts-${i}`)
    if (i < warmup) continue
    worker.push(workerTime)
    typescript.push(typescriptTime)
  }
  const scenario = `chain through a ${chain.language} step (--memory)`
  return [
    {
      scenario,
      metric: 'POST to state entry p50',
      unit: 'ms',
      value: percentile(worker, 50),
      baseline: percentile(typescript, 50),
      target: { on: 'ratio', kind: 'max', limit: 3 },
      note:
        `${samples} sequential chains after ${warmup} warm-up, the first of the three event steps in ${chain.language} (a pool of 2 workers); ` +
        'baseline: the all-TypeScript chain on the same server, sampled alternately',
    },
    { scenario, metric: 'POST to state entry p99', unit: 'ms', value: percentile(worker, 99), baseline: percentile(typescript, 99) },
  ]
}
