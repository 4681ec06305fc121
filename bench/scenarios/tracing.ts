import autocannon from 'autocannon'
import { startReceiverProcess } from '../otlp-receiver.ts'
import type { Row } from '../report.ts'
import { spawnCli } from '../server.ts'
import { median } from '../stats.ts'
import { serverRate } from './fanout.ts'

export interface TracingSettings {
  api: { seconds: number; connections: number; runs: number }
  /** A run takes a fraction of a second, so it is repeated more often than the API's: one run that meets a full GC moves the median less. */
  fanout: { events: number; runs: number }
}

/** Spans the traced server reported dropped (the SDK warns "Dropped N spans because maxQueueSize reached"). */
export function droppedSpans(output: string): number {
  let dropped = 0
  for (const match of output.matchAll(/Dropped (\d+) spans/g)) dropped += Number(match[1])
  return dropped
}

async function helloRate(url: string, seconds: number, connections: number): Promise<number> {
  const result = await autocannon({ url: `${url}/hello`, connections, duration: seconds })
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`GET /hello: ${result.errors} errors and ${result.non2xx} non-2xx answers.`)
  return result.requests.average
}

/**
 * The API and fan-out rows with OpenTelemetry exporting every span and metric to a local receiver
 * (OTLP/HTTP protobuf, the default, read in a process of its own), against the same project without
 * OTEL_* set, in alternating runs.
 */
export async function runTracing(dir: string, settings: TracingSettings): Promise<Row[]> {
  const receiver = await startReceiverProcess()
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
    for (let run = 0; run < Math.max(settings.api.runs, settings.fanout.runs); run++) {
      if (run < settings.api.runs) {
        api.off.push(await helloRate(off.url, seconds, connections))
        api.on.push(await helloRate(on.url, seconds, connections))
      }
      if (run < settings.fanout.runs) {
        fanout.off.push(await serverRate(off.url, `off-${run}`, events, 'together'))
        fanout.on.push(await serverRate(on.url, `on-${run}`, events, 'together'))
      }
    }
    // Whatever is still queued goes out on stop; count it before reading the receiver.
    await on.stop()
    const exported = await receiver.spans()
    if (exported === 0) throw new Error('The traced server exported no spans to the local receiver; check OTEL_EXPORTER_OTLP_ENDPOINT handling.')
    const dropped = droppedSpans(on.output())
    const spans = `${exported.toLocaleString('en-US')} spans exported to a receiver in its own process` + (dropped > 0 ? `, WARNING: ${dropped.toLocaleString('en-US')} dropped` : ', none dropped')
    const note = (runs: number) => `median of ${runs} alternating runs, same project and machine; baseline: the same server without OTEL_* set; ${spans}`
    return [
      {
        scenario: 'tracing (--memory)',
        metric: 'GET /hello req/s, exported to a local OTLP receiver',
        unit: 'req/s',
        value: median(api.on),
        baseline: median(api.off),
        target: { on: 'ratio', kind: 'min', limit: 0.85 },
        note: `${note(settings.api.runs)}; ${seconds} s per run at ${connections} connections`,
      },
      {
        scenario: 'tracing (--memory)',
        metric: `${events.toLocaleString('en-US')} events together, exported to a local OTLP receiver`,
        unit: 'events/s',
        value: median(fanout.on),
        baseline: median(fanout.off),
        target: { on: 'ratio', kind: 'min', limit: 0.85 },
        note: `${note(settings.fanout.runs)}; a span per emit and per job attempt, a state event per state.set`,
      },
    ]
  } finally {
    await Promise.allSettled([off.stop(), on.stop()])
    await receiver.close()
  }
}
