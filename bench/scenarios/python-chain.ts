import type { Row } from '../report.ts'
import { percentile } from '../stats.ts'
import { timeServerChain } from './chain.ts'

export interface PythonChainSettings {
  samples: number
  warmup: number
}

/**
 * Median and p99 of POST -> 3 event steps -> state write when the first event step is Python,
 * against the all-TypeScript chain on the same server, sampled alternately in the same run.
 */
export async function runPythonChain(url: string, settings: PythonChainSettings): Promise<Row[]> {
  const { samples, warmup } = settings
  const python: number[] = []
  const typescript: number[] = []
  for (let i = 0; i < warmup + samples; i++) {
    const pythonTime = await timeServerChain(url, `py-${i}`, '/py-chain')
    const typescriptTime = await timeServerChain(url, `ts-${i}`)
    if (i < warmup) continue
    python.push(pythonTime)
    typescript.push(typescriptTime)
  }
  const scenario = 'chain through a Python step (--memory)'
  return [
    {
      scenario,
      metric: 'POST to state entry p50',
      unit: 'ms',
      value: percentile(python, 50),
      baseline: percentile(typescript, 50),
      target: { on: 'ratio', kind: 'max', limit: 3 },
      note:
        `${samples} sequential chains after ${warmup} warm-up, the first of the three event steps in Python (a pool of 2 workers); ` +
        'baseline: the all-TypeScript chain on the same server, sampled alternately',
    },
    { scenario, metric: 'POST to state entry p99', unit: 'ms', value: percentile(python, 99), baseline: percentile(typescript, 99) },
  ]
}
