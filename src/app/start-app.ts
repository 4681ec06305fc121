import { join, relative } from 'node:path'
import { type Backend, openBackend } from '../backends/open-backend.ts'
import { MotiaError, toErrorMessage } from '../errors.ts'
import { type HttpServer, listen } from '../http/listen.ts'
import { createHttpApp, type HttpApp } from '../http/create-http-app.ts'
import { createLogger, type RootLogger } from '../logger/create-logger.ts'
import { createRepeatFilter } from '../logger/repeat-filter.ts'
import { createRuntime, type Runtime } from '../runtime/create-runtime.ts'
import type { ProjectConfig } from '../runtime/define-config.ts'
import { loadMotiaConfig, MOTIA_CONFIG_FILES } from '../runtime/motia-config.ts'
import { CONFIG_FILES, loadProjectConfig, toRedisSettings } from '../runtime/project-config.ts'
import { toStreamAuth } from '../runtime/stream-auth-config.ts'
import type { StreamSocketLimits, StreamSocketServer } from '../streams/stream-socket-server.ts'
import { attachStreamSocketLazily } from './lazy-stream-socket.ts'
import { createAppMetrics } from '../telemetry/create-app-metrics.ts'
import { startTelemetry, type Telemetry } from '../telemetry/start-telemetry.ts'
import { DEFAULT_BUILD_DIR } from '../steps/build-manifest.ts'
import type { ModuleImporter } from '../steps/import-module.ts'
import { DEFAULT_LOAD_TIMEOUT_MS } from '../steps/load-step.ts'
import { describeBuildDir, openProjectBuild, toBuildDir } from '../steps/open-build.ts'
import { openStartCache, START_CACHE_DIR } from '../steps/start-cache.ts'
import { keepTickShape } from './keep-tick-shape.ts'

export interface AppOptions {
  projectDir: string
  mode: 'dev' | 'start'
  port: number
  host: string
  /** In-process state and jobs instead of the SQLite file. */
  memory?: boolean
  bodyLimit?: string
  adminToken?: string
  /** Ask every caller of the built-in endpoints for the admin token, loopback included; default MOTIA_REQUIRE_ADMIN_TOKEN, else the config's `admin.requireToken`. */
  requireAdminToken?: boolean
  /** express's `trust proxy` (e.g. `loopback`, a hop count): whose X-Forwarded-* headers to believe; default MOTIA_TRUST_PROXY, else none. */
  trustProxy?: string
  logger?: RootLogger
  /** Serve the Workbench at /__motia/workbench and record traces; default: on in dev, off in start. */
  workbench?: boolean
  /** How long close() lets running jobs finish; default MOTIA_SHUTDOWN_GRACE_MS, else 10 s. */
  shutdownGraceMs?: number
  /** Completed jobs kept; default MOTIA_KEEP_COMPLETED, else 10,000. */
  keepCompleted?: number
  /** Hours a completed job is kept (SQLite); default MOTIA_KEEP_COMPLETED_HOURS, else 168 (7 days). */
  keepCompletedHours?: number
  /** Limits of the stream socket (message size, subscriptions, unsent bytes, heartbeat); defaults in DEFAULT_STREAM_LIMITS. */
  streamLimits?: Partial<StreamSocketLimits>
  /** How long a step file may take to import before it is a load error; default MOTIA_LOAD_TIMEOUT_MS, else 10 s. */
  loadTimeoutMs?: number
  /** start: the folder `motia-like build` wrote, relative to the project; default `.motia-like/build`. */
  buildDir?: string
}

/** The config files a build compiles with the steps, so `start` of a built project needs no TypeScript loader. */
export const BUILD_CONFIG_FILES = [...CONFIG_FILES, ...MOTIA_CONFIG_FILES] as const

/** A running project: runtime plus HTTP server. */
export interface App {
  url: string
  runtime: Runtime
  /** Where jobs and state live: memory, the SQLite file, or Redis. */
  store: string
  close(): Promise<void>
}

/** Where the embedded store lives inside a project. */
export function dataFile(projectDir: string): string {
  return join(projectDir, '.motia-like', 'data.db')
}

/** A number from the option, else from the environment variable, else the default; it must be 0 or more. */
function setting(value: number | undefined, name: string, fallback: number, whole: boolean): number {
  const raw = value ?? process.env[name]
  if (raw === undefined || raw === '') return fallback
  const parsed = Number(raw)
  if (!Number.isFinite(parsed) || parsed < 0 || (whole && !Number.isInteger(parsed))) {
    throw new MotiaError('CONFIG_INVALID', `${name} is "${raw}". Set it to a ${whole ? 'whole ' : ''}number of 0 or more.`)
  }
  return parsed
}

/** Opens the backend the options and the project choose: memory, Redis when configured, else the SQLite file. */
async function openProjectBackend(options: AppOptions, config: ProjectConfig, logger: RootLogger): Promise<Backend> {
  const keepCompleted = setting(options.keepCompleted, 'MOTIA_KEEP_COMPLETED', 10_000, true)
  const keepCompletedHours = setting(options.keepCompletedHours, 'MOTIA_KEEP_COMPLETED_HOURS', 7 * 24, false)
  const closeGraceMs = setting(options.shutdownGraceMs, 'MOTIA_SHUTDOWN_GRACE_MS', 10_000, true)
  const repeats = createRepeatFilter(30_000)
  const onError = (error: unknown): void => {
    const message = `The job queue hit an error: ${toErrorMessage(error)}`
    const { log, held } = repeats(message)
    if (log) logger.error(held > 0 ? `${message} (${held} more like it in the last 30 s)` : message, { error })
  }
  const queueOptions = { keepCompleted, keepCompletedMs: keepCompletedHours * 3_600_000, closeGraceMs, onError }
  if (options.memory) return openBackend({ kind: 'memory' }, queueOptions)
  const redis = toRedisSettings(config)
  if (redis) return openBackend({ kind: 'redis', ...redis }, queueOptions)
  return openBackend({ kind: 'sqlite', file: dataFile(options.projectDir) }, queueOptions)
}

/** Whether the admin token is asked of every caller: the option, else MOTIA_REQUIRE_ADMIN_TOKEN, else the config file; it needs a token. */
function toRequireAdminToken(options: AppOptions, config: ProjectConfig): boolean {
  const raw = process.env['MOTIA_REQUIRE_ADMIN_TOKEN']
  if (raw !== undefined && raw !== '' && !['0', '1', 'true', 'false'].includes(raw)) {
    throw new MotiaError('CONFIG_INVALID', `MOTIA_REQUIRE_ADMIN_TOKEN is "${raw}". Set it to 1 or 0.`)
  }
  const required = options.requireAdminToken ?? (raw ? raw === '1' || raw === 'true' : (config.admin?.requireToken ?? false))
  if (required && !options.adminToken) {
    throw new MotiaError(
      'CONFIG_INVALID',
      'The admin token is required of every caller, but MOTIA_ADMIN_TOKEN is not set. Set MOTIA_ADMIN_TOKEN, or turn off MOTIA_REQUIRE_ADMIN_TOKEN / admin.requireToken.',
    )
  }
  return required
}

/**
 * `start` imports the project from its build when the build matches the sources, saying so when a
 * build is there but older than them; otherwise from its start cache (compiled on a miss, one line
 * says so), and from source through tsx (undefined here) when the cache cannot be written.
 */
async function builtImporter(options: AppOptions, logger: RootLogger): Promise<ModuleImporter | undefined> {
  if (options.mode !== 'start') return undefined
  const buildDir = toBuildDir(options.projectDir, options.buildDir ?? DEFAULT_BUILD_DIR)
  const build = await openProjectBuild(options.projectDir, buildDir, BUILD_CONFIG_FILES)
  if (build.kind === 'current') return build.importer
  if (build.kind === 'stale') {
    logger.warn(
      `The build in ${describeBuildDir(options.projectDir, buildDir)} does not match the sources (${build.reason}): loading the sources instead. Run motia-like build again.`,
    )
  }
  const cache = await openStartCache(options.projectDir, BUILD_CONFIG_FILES)
  switch (cache.kind) {
    case 'reused':
      return cache.importer
    case 'compiled':
      logger.info(`Compiled ${cache.files} file(s) into ${START_CACHE_DIR} in ${cache.ms} ms. Later starts reuse it while the sources match.`)
      return cache.importer
    case 'unavailable':
      logger.debug(`The start cache in ${START_CACHE_DIR} cannot be used (${cache.reason}): loading the sources through tsx.`)
      return undefined
    case 'none':
      return undefined
  }
}

/** Loads the project, mounts its steps and starts serving HTTP. */
export async function startApp(options: AppOptions): Promise<App> {
  keepTickShape()
  const logger = options.logger ?? createLogger()
  const loadTimeoutMs = setting(options.loadTimeoutMs, 'MOTIA_LOAD_TIMEOUT_MS', DEFAULT_LOAD_TIMEOUT_MS, true)
  const moduleImporter = await builtImporter(options, logger)
  const config = await loadProjectConfig(options.projectDir, moduleImporter)
  const requireAdminToken = toRequireAdminToken(options, config)
  const motia = await loadMotiaConfig(options.projectDir, moduleImporter)
  const plugins = motia?.config.plugins?.length ?? 0
  if (motia && plugins > 0) {
    logger.info(`${relative(options.projectDir, motia.file)}: ignoring ${plugins} Workbench plugin(s); motia-like serves its own Workbench.`)
  }
  const streamAuth = toStreamAuth(config, motia)
  const backends = await openProjectBackend(options, config, logger)
  const runtime = createRuntime({
    projectDir: options.projectDir,
    queue: backends.queue,
    state: backends.state,
    streams: backends.streams,
    logger,
    cronLock: backends.cronLock,
    loadTimeoutMs,
    moduleImporter,
  })
  let server: HttpServer | undefined
  let app: HttpApp | undefined
  let sockets: StreamSocketServer | undefined
  let telemetry: Telemetry | undefined
  const metrics = createAppMetrics(runtime)
  try {
    telemetry = await startTelemetry(runtime, metrics)
    await runtime.load()
    app = await createHttpApp(runtime, {
      mode: options.mode,
      bodyLimit: options.bodyLimit ?? '1mb',
      adminToken: options.adminToken,
      requireAdminToken,
      trustProxy: options.trustProxy ?? (process.env['MOTIA_TRUST_PROXY'] || false),
      workbench: options.workbench ?? options.mode === 'dev',
      ...(config.cors ? { cors: config.cors } : {}),
      ...(motia?.config.app ? { appHook: { file: motia.file, configure: motia.config.app } } : {}),
      metrics,
      health: backends.health,
    })
    server = await listen(app.listener, options.port, options.host, app.messages)
    if (options.mode === 'start' && !streamAuth && runtime.streams.registry.list().length > 0) {
      logger.info('Streams are open to every client that reaches this port, as in Motia. Set streamAuth in motia-like.config.ts to restrict them.')
    }
    sockets = attachStreamSocketLazily(server.server, {
      registry: runtime.streams.registry,
      store: runtime.streams.store,
      logger,
      authenticate: streamAuth?.authenticate,
      ...(options.streamLimits ? { limits: options.streamLimits } : {}),
    })
    metrics.watchStreams(sockets)
  } catch (error) {
    await server?.close()
    app?.close()
    metrics.close()
    await runtime
      .close()
      .then(() => telemetry?.close())
      .finally(backends.release)
    throw error
  }
  const http = server
  const web = app
  const streamSocket = sockets
  const exporting = telemetry
  let closed: Promise<void> | undefined
  return {
    url: http.url,
    runtime,
    store: backends.store,
    close() {
      // Reverse order of start: stop taking requests, let the runtime drain and close its stores,
      // then close the database they share; flush what telemetry still holds before the database goes.
      closed ??= streamSocket
        .close()
        .then(http.close)
        .then(web.close)
        .then(() => runtime.close())
        .then(() => exporting.close())
        .then(metrics.close)
        .finally(backends.release)
      return closed
    },
  }
}
