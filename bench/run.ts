import { join } from 'node:path'
import { openBaseline, type StoreKind } from './baseline-store.ts'
import { closeConnections } from './http.ts'
import { Redis } from 'ioredis'
import { removeKeys } from '../src/backends/redis/redis-test-support.ts'
import { benchProject, createWorkspace, noopFanoutProject, sizedProject } from './project.ts'
import { rateLimitProject } from './rate-limit-project.ts'
import { formatTable, type Row, writeJson } from './report.ts'
import { runApi } from './scenarios/api.ts'
import { runChain } from './scenarios/chain.ts'
import { runChainThroughput } from './scenarios/chain-throughput.ts'
import { runColdStart } from './scenarios/cold-start.ts'
import { runFanout } from './scenarios/fanout.ts'
import { runRateLimit } from './scenarios/rate-limit.ts'
import { runRedisFanout } from './scenarios/redis-fanout.ts'
import { GC_ON_SIGNAL_ENV, idleRss, memoryRows, type RssReadings, runBuiltIdleRss } from './scenarios/memory.ts'
import { runReload } from './scenarios/reload.ts'
import { runTracing } from './scenarios/tracing.ts'
import { runWorkerChain } from './scenarios/worker-chain.ts'
import { runStreamConnections, runStreamFanout, runStreamLatency } from './scenarios/streams.ts'
import { killAllNow, repoRoot, rssMb, type ServerProcess, spawnBareExpress, spawnCli, spawnNodeSource, stopAll } from './server.ts'
import { bareWsSource, removeRedisKeys, streamsProject } from './streams-project.ts'
import { since } from './stats.ts'

const settings = {
  api: { seconds: 10, connections: 32, runs: 3 },
  chain: { samples: 200, warmup: 20 },
  chainThroughput: { chains: 2_000, runs: 3 },
  pythonChain: { samples: 200, warmup: 20 },
  rubyChain: { samples: 200, warmup: 20 },
  fanout: { events: 10_000, runs: 5 },
  redisFanout: { events: 10_000, runs: 5 },
  rateLimit: { events: 10_000, runs: 3, queued: 10_000, windowMs: 10_000 },
  coldStart: { runs: 5, sizes: [10, 200], targetSteps: 200 },
  reload: { steps: 200, edits: 20 },
  streams: {
    wide: { sockets: 1_000, sets: 1, reps: 30, runs: 3 },
    burst: { sockets: 100, sets: 10_000, reps: 1, runs: 3 },
    latencySamples: 200,
    idleSockets: 10_000,
  },
  tracing: { api: { seconds: 5, connections: 32, runs: 3 }, fanout: { events: 10_000, runs: 9 } },
}
// The Redis the Redis scenario runs on; each run uses key prefixes of its own and deletes them after.
const redisUrl = process.env['MOTIA_REDIS_URL'] || process.env['REDIS_URL'] || 'redis://127.0.0.1:6379'
const resultsFile = join(repoRoot, 'bench', 'results', 'latest.json')

const rows: Row[] = []
const began = performance.now()
const workspace = createWorkspace()

// `npm run bench -- --only fanout` runs only the scenarios whose name contains "fanout" (in any case).
const onlyIndex = process.argv.indexOf('--only')
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined
/** How many scenarios have run, so readings taken after a group of them are left out when `--only` skipped it. */
let ran = 0

/** Runs one scenario with a progress line; a failure becomes a row, so the other scenarios still run. */
async function scenario(name: string, run: () => Promise<Row[]>): Promise<void> {
  if (only !== undefined && !name.toLowerCase().includes(only.toLowerCase())) return
  ran += 1
  const start = performance.now()
  process.stdout.write(`${name.padEnd(48)} `)
  try {
    rows.push(...(await run()))
    process.stdout.write(`done in ${(since(start) / 1000).toFixed(1)} s\n`)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    rows.push({ scenario: name, metric: 'error', unit: '', value: null, note: message.split('\n')[0] ?? message })
    process.stdout.write(`failed after ${(since(start) / 1000).toFixed(1)} s: ${message}\n`)
  }
}

/**
 * Chain latency and throughput and both fanouts on one server, each against a baseline on the same kind of store;
 * the server's RSS after them, or undefined when `--only` ran none of them.
 */
async function storeScenarios(kind: StoreKind, server: ServerProcess): Promise<number | undefined> {
  const before = ran
  const baseline = openBaseline(kind, join(workspace.root, `baseline-${kind}`))
  const label = kind === 'memory' ? '--memory' : 'default store'
  try {
    const { samples } = settings.chain
    await scenario(`chain (${label}): ${samples} chains`, () => runChain(server.url, kind, baseline.store, settings.chain))
    const { chains } = settings.chainThroughput
    await scenario(`chain (${label}): ${chains} chains at once`, () =>
      runChainThroughput(server.url, kind, baseline, settings.chainThroughput),
    )
    const { events, runs } = settings.fanout
    for (const mode of ['sequential', 'together'] as const) {
      await scenario(`fanout (${label}): ${runs} x ${events} events, ${mode}`, () =>
        runFanout(server.url, kind, mode, baseline, settings.fanout),
      )
    }
  } finally {
    await baseline.close()
  }
  return ran > before ? rssMb(server.pid) : undefined
}

/** Stream fan-out against a bare ws broadcast, set-to-frame latency on each store, and idle connections. */
async function streamScenarios(): Promise<void> {
  const { wide, burst, latencySamples, idleSockets } = settings.streams
  const files = streamsProject()
  const stores: Array<[string, string[], Record<string, string>, number]> = [
    ['--memory', ['--memory'], {}, 2],
    ['default store', [], {}, 2],
    ['Redis', [], { MOTIA_REDIS_URL: redisUrl, MOTIA_REDIS_PREFIX: `motia-bench-streams-${process.pid}` }, 5],
  ]
  for (const [label, flags, env, limitMs] of stores) {
    await scenario(`streams latency (${label}): ${latencySamples} writes`, async () => {
      const server = await spawnCli('start', workspace.project(`streams-latency-${label.replace(/\W/g, '')}`, files), flags, env)
      try {
        return await runStreamLatency(server, label, limitMs, latencySamples)
      } finally {
        await server.stop()
        if (env['MOTIA_REDIS_PREFIX']) await removeRedisKeys(redisUrl, env['MOTIA_REDIS_PREFIX'])
      }
    })
  }
  const withServers = async (run: (server: ServerProcess, bare: ServerProcess) => Promise<Row[]>): Promise<Row[]> => {
    const [server, bare] = await Promise.all([spawnCli('start', workspace.project(`streams-${rows.length}`, files)), spawnNodeSource(bareWsSource)])
    try {
      return await run(server, bare)
    } finally {
      await Promise.all([server.stop(), bare.stop()])
    }
  }
  await scenario(`streams fan-out: 1 set to ${wide.sockets} sockets, and ws`, () => withServers((server, bare) => runStreamFanout(server, bare, wide)))
  await scenario(`streams fan-out: ${burst.sets} sets to ${burst.sockets} sockets, and ws`, () => withServers((server, bare) => runStreamFanout(server, bare, burst)))
  await scenario(`streams: ${idleSockets} idle subscribed sockets`, () => withServers((server) => runStreamConnections(server, idleSockets)))
}

async function main(): Promise<void> {
  const memoryDir = workspace.project('bench-memory', benchProject())
  const defaultDir = workspace.project('bench-default', benchProject())
  const sized = settings.coldStart.sizes.map((steps) => ({ steps, dir: workspace.project(`start-${steps}`, sizedProject(steps)) }))
  const reloadDir = workspace.project('reload', sizedProject(settings.reload.steps))

  const bare = await spawnBareExpress(GC_ON_SIGNAL_ENV)
  const memoryServer = await spawnCli('start', memoryDir, ['--memory'], GC_ON_SIGNAL_ENV)
  const defaultServer = await spawnCli('start', defaultDir, [], GC_ON_SIGNAL_ENV)
  const rss: RssReadings = {
    bareIdle: await idleRss(bare),
    memoryIdle: await idleRss(memoryServer),
    defaultIdle: await idleRss(defaultServer),
    bareAfterLoad: Number.NaN,
  }

  const { seconds, runs, connections } = settings.api
  await scenario(`api: ${runs} x ${seconds} s per side, ${connections} conns`, () =>
    runApi(memoryServer, bare, settings.api),
  )
  rss.bareAfterLoad = rssMb(bare.pid)
  await bare.stop()

  rss.memoryAfterFanout = await storeScenarios('memory', memoryServer)
  await memoryServer.stop()
  rss.defaultAfterFanout = await storeScenarios('default', defaultServer)
  await defaultServer.stop()
  await scenario('memory: idle RSS after start, and after the fan-outs', async () => memoryRows(rss))
  await scenario('memory: idle RSS of pre-built projects', () =>
    runBuiltIdleRss({ memory: workspace.project('bench-memory-built', benchProject()), sqlite: workspace.project('bench-default-built', benchProject()) }),
  )

  const traced = settings.tracing
  await scenario(`tracing (--memory): api and fanout, OTLP export on and off, ${traced.api.runs} and ${traced.fanout.runs} runs`, () =>
    runTracing(workspace.project('bench-tracing', benchProject()), traced),
  )

  const python = settings.pythonChain.samples
  await scenario(`chain through Python (--memory): ${python} + ${python} chains`, async () => {
    const server = await spawnCli('start', workspace.project('bench-python', benchProject({ python: true })), ['--memory'])
    try {
      return await runWorkerChain(server.url, { language: 'Python', path: '/py-chain' }, settings.pythonChain)
    } finally {
      await server.stop()
    }
  })

  const ruby = settings.rubyChain.samples
  await scenario(`chain through Ruby (--memory): ${ruby} + ${ruby} chains`, async () => {
    const server = await spawnCli('start', workspace.project('bench-ruby', benchProject({ ruby: true })), ['--memory'])
    try {
      return await runWorkerChain(server.url, { language: 'Ruby', path: '/rb-chain' }, settings.rubyChain)
    } finally {
      await server.stop()
    }
  })

  const redis = settings.redisFanout
  await scenario(`fanout (Redis): ${redis.runs} x ${redis.events} no-op events, and raw BullMQ`, () =>
    runRedisFanout({ url: redisUrl, dir: workspace.project('bench-redis', noopFanoutProject()) }, redis),
  )

  await streamScenarios()
  const limits = settings.rateLimit
  for (const store of ['default store', 'Redis'] as const) {
    await scenario(`rate limit (${store}): ${limits.runs} x ${limits.events} events, and ${limits.queued} paced`, async () => {
      const prefix = `motia-bench:${process.pid}-${Date.now()}:limits`
      const env: Record<string, string> = store === 'Redis' ? { MOTIA_REDIS_URL: redisUrl, MOTIA_REDIS_PREFIX: prefix } : {}
      const server = await spawnCli('start', workspace.project(`bench-limits-${store === 'Redis' ? 'redis' : 'sqlite'}`, rateLimitProject(benchProject())), [], env)
      try {
        return await runRateLimit(server, store, limits)
      } finally {
        await server.stop()
        if (store === 'Redis') {
          const client = new Redis(redisUrl)
          await removeKeys(client, prefix).finally(() => client.quit())
        }
      }
    })
  }

  const sizes = settings.coldStart.sizes.join(' and ')
  await scenario(`cold start: ${sizes} steps, ${settings.coldStart.runs} runs`, () =>
    runColdStart({ ...settings.coldStart, projects: sized }),
  )
  await scenario(`reload: dev, ${settings.reload.steps} steps, ${settings.reload.edits} edits`, () =>
    runReload({ dir: reloadDir, ...settings.reload }),
  )
}

process.once('exit', killAllNow)
process.once('SIGINT', () => {
  killAllNow()
  workspace.remove()
  process.exit(130)
})

try {
  await main()
} catch (error) {
  process.exitCode = 1
  process.stdout.write(`\nbench stopped: ${error instanceof Error ? error.message : String(error)}\n`)
} finally {
  await stopAll()
  closeConnections()
  workspace.remove()
}

const totalSeconds = since(began) / 1000
process.stdout.write(`\n${formatTable(rows)}\n\ntotal ${totalSeconds.toFixed(1)} s; JSON in ${resultsFile}\n`)
writeJson(resultsFile, rows, { date: new Date().toISOString(), totalSeconds, settings })
