import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import type { Row } from '../report.ts'
import { spawnCli } from '../server.ts'
import { median } from '../stats.ts'
import { serverRate } from './fanout.ts'

export interface TracingSettings {
  api: { seconds: number; connections: number; runs: number }
  /** A run takes a fraction of a second, so it is repeated more often than the API's: one run that meets a full GC moves the median less. */
  fanout: { events: number; runs: number }
}

/** Reads a protobuf varint at `at`: its value and the offset after it. */
function readVarint(bytes: Buffer, at: number): [number, number] {
  let value = 0
  let shift = 1
  for (;;) {
    const byte = bytes[at++] as number
    value += (byte & 0x7f) * shift
    if (byte < 0x80) return [value, at]
    shift *= 128
  }
}

/** The length-delimited fields numbered `field` of a protobuf message, as [start, end) offsets. */
function* fields(bytes: Buffer, start: number, end: number, field: number): Generator<[number, number]> {
  let at = start
  while (at < end) {
    const [key, afterKey] = readVarint(bytes, at)
    const wireType = key & 7
    at = afterKey
    if (wireType === 0) at = readVarint(bytes, at)[1]
    else if (wireType === 1) at += 8
    else if (wireType === 5) at += 4
    else if (wireType === 2) {
      const [length, afterLength] = readVarint(bytes, at)
      if (key >>> 3 === field) yield [afterLength, afterLength + length]
      at = afterLength + length
    } else throw new Error(`Unexpected protobuf wire type ${wireType} in an OTLP export.`)
  }
}

/** Spans in an OTLP ExportTraceServiceRequest: resource_spans (1) > scope_spans (2) > spans (2). Only skips by lengths. */
function countSpans(body: Buffer): number {
  let spans = 0
  for (const [resourceStart, resourceEnd] of fields(body, 0, body.length, 1)) {
    for (const [scopeStart, scopeEnd] of fields(body, resourceStart, resourceEnd, 2)) {
      for (const _ of fields(body, scopeStart, scopeEnd, 2)) spans += 1
    }
  }
  return spans
}

/**
 * A local OTLP/HTTP receiver that reads each export and answers 200, as a collector on another machine
 * would cost the server. It counts the spans of trace exports (skipping through the protobuf by lengths,
 * no decoding) when `spans()` is called, not as they arrive: it shares the machine's two cores with the
 * server it measures, and a collector would not. So the rows can show that every span was exported.
 */
export async function startReceiver(): Promise<{ url: string; spans: () => number; close: () => Promise<void> }> {
  let spans = 0
  let uncounted: Buffer[][] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.once('end', () => {
      if (req.url === '/v1/traces') uncounted.push(chunks)
      res.writeHead(200, { 'content-type': 'application/x-protobuf' })
      res.end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans() {
      for (const chunks of uncounted) spans += countSpans(Buffer.concat(chunks))
      uncounted = []
      return spans
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
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
    const exported = receiver.spans()
    if (exported === 0) throw new Error('The traced server exported no spans to the local receiver; check OTEL_EXPORTER_OTLP_ENDPOINT handling.')
    const dropped = droppedSpans(on.output())
    const spans = `${exported.toLocaleString('en-US')} spans exported` + (dropped > 0 ? `, WARNING: ${dropped.toLocaleString('en-US')} dropped` : ', none dropped')
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
