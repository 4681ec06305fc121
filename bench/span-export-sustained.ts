/**
 * Back-to-back fan-outs against a server (`start --memory`) exporting its spans over OTLP/HTTP protobuf to
 * a local receiver, for a number of seconds: the events per second, the spans the receiver got and the spans
 * the server reported dropped from a full export queue.
 * Run: npx tsx bench/span-export-sustained.ts [seconds] [events per fan-out]
 */
import { startReceiver } from './otlp-receiver.ts'
import { benchProject, createWorkspace } from './project.ts'
import { serverRate } from './scenarios/fanout.ts'
import { droppedSpans } from './scenarios/tracing.ts'
import { spawnCli } from './server.ts'

const seconds = Number(process.argv[2] ?? 20)
const perFanout = Number(process.argv[3] ?? 10_000)

const receiver = await startReceiver()
const workspace = createWorkspace()
try {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'bench', OTEL_METRIC_EXPORT_INTERVAL: '5000' }
  const server = await spawnCli('start', workspace.project('sustained', benchProject()), ['--memory'], env)
  await serverRate(server.url, 'warm', perFanout / 10, 'together')
  const start = performance.now()
  let events = 0
  for (let run = 0; performance.now() - start < seconds * 1_000; run++) {
    await serverRate(server.url, `sustained-${run}`, perFanout, 'together')
    events += perFanout
  }
  const elapsed = (performance.now() - start) / 1_000
  await server.stop()
  console.log(`${events} events in ${elapsed.toFixed(1)} s: ${Math.round(events / elapsed)} events/s; ${receiver.spans()} spans exported, ${droppedSpans(server.output())} dropped`)
} finally {
  workspace.remove()
  await receiver.close()
}
