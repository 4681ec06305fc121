import autocannon from 'autocannon'
import type { Row } from '../report.ts'
import { cpuMs, type ServerProcess } from '../server.ts'
import { median } from '../stats.ts'

export interface ApiSettings {
  seconds: number
  connections: number
  runs: number
}

interface Sample {
  rps: number
  p50: number
  p99: number
  /** Server CPU time per answered request, in microseconds: what the server spends, whoever is the bottleneck. */
  cpuPerRequest: number
}

async function load(server: ServerProcess, seconds: number, connections: number): Promise<Sample> {
  const url = `${server.url}/hello`
  const cpuBefore = cpuMs(server.pid)
  const result = await autocannon({ url, connections, duration: seconds })
  const cpu = cpuMs(server.pid) - cpuBefore
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} connection errors and ${result.non2xx} non-2xx answers under load.`)
  }
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerRequest: (cpu * 1000) / Math.max(result['2xx'], 1),
  }
}

/**
 * GET /hello on the motia-like server against the bare express app, in alternating runs so both
 * see the same machine conditions; one short warm-up each first.
 */
export async function runApi(motiaServer: ServerProcess, bareServer: ServerProcess, settings: ApiSettings): Promise<Row[]> {
  const { seconds, connections, runs } = settings
  await load(bareServer, 1, connections)
  await load(motiaServer, 1, connections)
  const bare: Sample[] = []
  const motia: Sample[] = []
  for (let run = 0; run < runs; run++) {
    bare.push(await load(bareServer, seconds, connections))
    motia.push(await load(motiaServer, seconds, connections))
  }
  const row = (metric: string, unit: string, field: keyof Sample) => ({
    scenario: 'api',
    metric,
    unit,
    value: median(motia.map((sample) => sample[field])),
    baseline: median(bare.map((sample) => sample[field])),
  })
  const shortened = seconds < 10 ? ' (shortened from 10 s to fit the time budget)' : ''
  return [
    {
      ...row('GET /hello req/s', 'req/s', 'rps'),
      target: { on: 'ratio', kind: 'min', limit: 0.9 },
      note: `median of ${runs} alternating runs of ${seconds} s per side${shortened} at ${connections} connections; baseline: bare express child process`,
    },
    row('GET /hello p50', 'ms', 'p50'),
    row('GET /hello p99', 'ms', 'p99'),
    {
      ...row('server CPU per request', 'us', 'cpuPerRequest'),
      note: 'user + system CPU of the server process during the run, from /proc/<pid>/stat, divided by 2xx answers',
    },
  ]
}
