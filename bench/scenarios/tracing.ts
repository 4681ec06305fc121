import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import type { Row } from '../report.ts'
import { spawnCli } from '../server.ts'
import { median } from '../stats.ts'
import { serverRate } from './fanout.ts'

export interface TracingSettings {
  api: { seconds: number; connections: number }
  fanout: { events: number }
  runs: number
}

/** A local OTLP/HTTP receiver that reads each export and answers 200, counting the exports it got. */
async function startReceiver(): Promise<{ url: string; exports: () => number; close: () => Promise<void> }> {
  let exports = 0
  const server = createServer((req, res) => {
    req.resume()
    req.once('end', () => {
      exports += 1
      res.writeHead(200, { 'content-type': 'application/x-protobuf' })
      res.end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    exports: () => exports,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function helloRate(url: string, seconds: number, connections: number): Promise<number> {
  const result = await autocannon({ url: `${url}/hello`, connections, duration: seconds })
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`GET /hello: ${result.errors} errors and ${result.non2xx} non-2xx answers.`)
  return result.requests.average
}

/**
 * The API and fan-out rows with OpenTelemetry exporting every span and metric to a local receiver
 * (OTLP/HTTP protobuf, the default), against the same project without OTEL_* set, in alternating runs.
 */
export async function runTracing(dir: string, settings: TracingSettings): Promise<Row[]> {
  const receiver = await startReceiver()
  const traced = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'bench', OTEL_METRIC_EXPORT_INTERVAL: '5000' }
  const [off, on] = await Promise.all([spawnCli('start', dir, ['--memory']), spawnCli('start', dir, ['--memory'], traced)])
  try {
    const { seconds, connections } = settings.api
    const { events } = settings.fanout
    const api = { off: [] as number[], on: [] as number[] }
    const fanout = { off: [] as number[], on: [] as number[] }
    for (const server of [off, on]) {
      await helloRate(server.url, 1, connections)
      await serverRate(server.url, 'warm', Math.ceil(events / 10), 'together')
    }
    for (let run = 0; run < settings.runs; run++) {
      api.off.push(await helloRate(off.url, seconds, connections))
      api.on.push(await helloRate(on.url, seconds, connections))
      fanout.off.push(await serverRate(off.url, `off-${run}`, events, 'together'))
      fanout.on.push(await serverRate(on.url, `on-${run}`, events, 'together'))
    }
    if (receiver.exports() === 0) throw new Error('The traced server exported nothing to the local receiver; check OTEL_EXPORTER_OTLP_ENDPOINT handling.')
    const note = `median of ${settings.runs} alternating runs, same project and machine; baseline: the same server without OTEL_* set`
    return [
      {
        scenario: 'tracing (--memory)',
        metric: 'GET /hello req/s, exported to a local OTLP receiver',
        unit: 'req/s',
        value: median(api.on),
        baseline: median(api.off),
        target: { on: 'ratio', kind: 'min', limit: 0.85 },
        note: `${note}; ${seconds} s per run at ${connections} connections`,
      },
      {
        scenario: 'tracing (--memory)',
        metric: `${events.toLocaleString('en-US')} events together, exported to a local OTLP receiver`,
        unit: 'events/s',
        value: median(fanout.on),
        baseline: median(fanout.off),
        target: { on: 'ratio', kind: 'min', limit: 0.85 },
        note: `${note}; a span per emit and per job attempt, a state event per state.set`,
      },
    ]
  } finally {
    await Promise.allSettled([off.stop(), on.stop()])
    await receiver.close()
  }
}
