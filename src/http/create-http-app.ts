import type { RequestListener } from 'node:http'
import express, { type Express, type Request, type RequestHandler, Router } from 'express'
import { MotiaError, toErrorMessage } from '../errors.ts'
import type { CorsSettings } from '../runtime/cors-settings.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import { createWorkbenchOff } from '../workbench/workbench-off.ts'
import { createAdminGuard } from './admin-guard.ts'
import { createAdminRoutes } from './admin-routes.ts'
import { isBuiltInPath } from './built-in-path.ts'
import { createQueueRoutes } from './queue-routes.ts'
import { createHealthRoute, type HealthCheck } from './health-route.ts'
import { createErrorMiddleware } from './http-errors.ts'
import { createMetricsRoute, isMetricsPathTaken, METRICS_PATH } from './metrics-route.ts'
import { appMessages, createRequestListener, type MessageOptions } from './request-listener.ts'
import { createRouteTable } from './route-table.ts'
import { createStreamRoutes } from './stream-routes.ts'
import type { AppMetrics } from '../telemetry/create-app-metrics.ts'

export interface HttpOptions {
  /** `dev` exposes handler error messages and job stacks; `start` guards admin endpoints. */
  mode: 'dev' | 'start'
  /** Largest accepted body, e.g. '1mb'. */
  bodyLimit: string
  adminToken: string | undefined
  /** Ask every caller of the built-in endpoints for the token, loopback included. */
  requireAdminToken: boolean
  /** express's `trust proxy`: which proxies' X-Forwarded-* headers to believe (false: none). */
  trustProxy: string | false
  /** Serve the Workbench and record traces and logs for it (on in dev, opt-in in start). */
  workbench: boolean
  /** Browser origins allowed to call the API steps; no CORS when absent. */
  cors?: CorsSettings
  /** A Motia project's `app(expressApp)` hook from motia.config.ts, and that file, for errors. */
  appHook?: { file: string; configure: (app: Express) => unknown }
  /** What GET /metrics, the health endpoint and the Metrics view read. */
  metrics: AppMetrics
  /** Checks each part of the backend for GET /__motia/health; default: nothing to check. */
  health?: () => Promise<HealthCheck[]>
}

/** The server's request listener and what must stop with the server. */
export interface HttpApp {
  /** The express app, with the plain-path API steps served in front of it when nothing else may see their requests first. */
  listener: RequestListener
  /** The server options that make requests and responses with the app's prototypes (see appMessages). */
  messages: MessageOptions
  /** Stops the Workbench's recording and live streams. Idempotent. */
  close(): void
}

function keepRawBody(req: Request & { rawBody?: string }, _res: unknown, buffer: Buffer): void {
  req.rawBody = buffer.toString('utf8')
}

/** Assembles the express app: body parsing, the API route table, built-in endpoints, the Workbench and errors. */
export async function createHttpApp(runtime: Runtime, options: HttpOptions): Promise<HttpApp> {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', toTrustProxy(options.trustProxy))
  const parse = { limit: options.bodyLimit, verify: keepRawBody }
  const parseBody = onlyWithBody([
    express.json({ ...parse, type: ['application/json', 'application/*+json'] }),
    express.urlencoded({ ...parse, extended: true }),
    express.text({ ...parse, type: 'text/*' }),
  ])

  const access = createAdminGuard({
    mode: options.mode,
    token: options.adminToken,
    requireToken: options.requireAdminToken,
    logger: runtime.logger,
  })
  const { metrics } = options
  const admin = Router()
  admin.get([METRICS_PATH, '/__motia/metrics'], createMetricsRoute(metrics))
  admin.use(createAdminRoutes(runtime, { showsStacks: options.mode === 'dev' ? () => true : access.hasToken }))
  admin.use(createStreamRoutes(runtime))
  admin.use(createQueueRoutes(runtime))
  // Loaded only when on, so `start` without it pays nothing.
  const workbench = options.workbench
    ? (await import('../workbench/create-workbench.ts')).createWorkbench(runtime, { mode: options.mode, metrics })
    : undefined
  admin.use(workbench?.router ?? createWorkbenchOff())
  const builtIn: RequestHandler = (req, res, next) => access.guard(req, res, () => admin(req, res, next))
  // Built-in endpoints and their guard are matched by prefix in one layer: a user route walks past
  // nothing else. They come first, so no app hook or CORS setting ever touches them.
  const isBuiltIn = (path: string): boolean => isBuiltInPath(path) || (path === METRICS_PATH && !isMetricsPathTaken(runtime))
  // Health answers without the token too (a load balancer has none), with less for callers the guard would refuse.
  const health = createHealthRoute(runtime, { admits: access.admits, check: options.health ?? noChecks, lag: metrics.lag })
  const routes = createRouteTable(runtime)
  // With no app hook and no CORS, nothing sits between the built-in endpoints and the API steps, so
  // one layer serves both: each express layer a request walks through costs about a tenth of a small request.
  const direct = !options.appHook && !options.cors
  const afterBody =
    (handler: RequestHandler): RequestHandler =>
    (req, res, next) =>
      parseBody(req, res, (error?: unknown) => (error === undefined ? handler(req, res, next) : next(error)))
  const builtInWithBody = afterBody(builtIn)
  const stepsWithBody = afterBody(routes.handle)
  app.use((req, res, next) => {
    if (req.path === '/__motia/health' && req.method === 'GET') health(req, res, next)
    else if (isBuiltIn(req.path)) builtInWithBody(req, res, next)
    else if (direct) stepsWithBody(req, res, next)
    else next()
  })
  if (!direct) {
    // Motia runs the hook before parsing bodies, so handlers it mounts (an auth library) read the raw stream.
    if (options.appHook) await applyAppHook(app, options.appHook)
    app.use(parseBody)
    // Loaded only when configured: with CORS off there is no layer and no module.
    if (options.cors) app.use((await import('./cors-layer.ts')).createCorsLayer(options.cors))
    app.use(routes.handle)
  }
  app.use((req, res) => {
    res.status(404).json({ error: `No route for ${req.method} ${req.path}.` })
  })
  const errors = createErrorMiddleware(runtime.logger, { exposeMessages: options.mode === 'dev' })
  app.use(errors)
  const find = (method: string, path: string) => (isBuiltIn(path) ? undefined : routes.find(method, path))
  // Replaces app.request and app.response, after the hook has seen express's own.
  const messages = appMessages(app)
  return {
    listener: createRequestListener(app, direct ? { find, parseBody, errors } : undefined),
    messages,
    close() {
      workbench?.close()
    },
  }
}

/** Calls a motia.config.ts `app(expressApp)` hook; a throw is a start-up error naming the file. */
async function applyAppHook(app: Express, hook: NonNullable<HttpOptions['appHook']>): Promise<void> {
  try {
    await hook.configure(app)
  } catch (error) {
    throw new MotiaError(
      'CONFIG_INVALID',
      `The app(expressApp) hook of ${hook.file} threw: ${toErrorMessage(error)}. Fix the hook in ${hook.file}.`,
      { cause: error },
    )
  }
}

/** express's `trust proxy` value: a hop count given as digits is a number, anything else as written. */
function toTrustProxy(value: string | false): string | number | false {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
}

const noChecks = async (): Promise<HealthCheck[]> => []

/** Runs the body parsers only for requests that carry a body; a GET pays nothing for them. */
function onlyWithBody(parsers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
      next()
      return
    }
    let index = 0
    const step = (error?: unknown): void => {
      const parser = parsers[index++]
      if (error !== undefined || !parser) next(error)
      else parser(req, res, step)
    }
    step()
  }
}
