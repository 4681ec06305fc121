/**
 * The CPU a fan-out costs per event on each thread of a server (`start --memory`), with OpenTelemetry exporting
 * to a local receiver and without, in alternating runs: the main thread's and the other threads' (the export
 * worker, V8's collector threads) from /proc, so Linux only. The wall-clock rows of `npm run bench` swing with
 * the machine; these move less, and tell which thread a change saved.
 * Run: npx tsx bench/tracing-cpu.ts [runs] [events per fan-out] [NAME=value,... added to the traced server's
 * environment, e.g. OTEL_TRACES_SAMPLER=always_off to measure the instrumentation with no span recorded]
 */
import { readdirSync, readFileSync } from 'node:fs'
import { benchProject, createWorkspace } from './project.ts'
import { serverRate } from './scenarios/fanout.ts'
import { startReceiver } from './otlp-receiver.ts'
import { spawnCli } from './server.ts'
import { median } from './stats.ts'

const runs = Number(process.argv[2] ?? 15)
const events = Number(process.argv[3] ?? 10_000)
const added = Object.fromEntries((process.argv[4] ?? '').split(',').flatMap((pair) => (pair.includes('=') ? [pair.split('=', 2)] : [])))

/** Milliseconds of CPU (user and system) the main thread and the other threads of `pid` have used. */
function cpuOf(pid: number): { main: number; other: number } {
  const ticksPerMs = 100 / 1000
  const used = { main: 0, other: 0 }
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    // The fields after the command's closing parenthesis, from the state (field 3): utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ms = (Number(fields[11]) + Number(fields[12])) / ticksPerMs
    if (Number(tid) === pid) used.main += ms
    else used.other += ms
  }
  return used
}

const receiver = await startReceiver()
const workspace = createWorkspace()
try {
  const dir = workspace.project('tracing-cpu', benchProject())
  const traced = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'bench', OTEL_METRIC_EXPORT_INTERVAL: '5000', ...added }
  const servers = { off: await spawnCli('start', dir, ['--memory']), traced: await spawnCli('start', dir, ['--memory'], traced) }
  const measured = { off: { main: 0, other: 0, rates: [] as number[] }, traced: { main: 0, other: 0, rates: [] as number[] } }
  for (const server of Object.values(servers)) for (let warm = 0; warm < 3; warm++) await serverRate(server.url, `warm-${warm}`, events, 'together')
  for (let run = 0; run < runs; run++) {
    for (const name of ['off', 'traced'] as const) {
      const { pid, url } = servers[name]
      const before = cpuOf(pid)
      measured[name].rates.push(await serverRate(url, `${name}-${run}`, events, 'together'))
      const after = cpuOf(pid)
      measured[name].main += after.main - before.main
      measured[name].other += after.other - before.other
    }
  }
  const perEvent = (ms: number) => ((ms * 1000) / (runs * events)).toFixed(2)
  for (const [name, { main, other, rates }] of Object.entries(measured)) {
    console.log(`${name.padEnd(6)} main thread ${perEvent(main)} µs/event, other threads ${perEvent(other)} µs/event, median ${Math.round(median(rates))} events/s`)
  }
  console.log(`traced / off: ${(median(measured.traced.rates) / median(measured.off.rates)).toFixed(3)}`)
  await Promise.all(Object.values(servers).map((server) => server.stop()))
} finally {
  await receiver.close()
  workspace.remove()
}
