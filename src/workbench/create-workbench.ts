import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import express, { type Request, Router } from 'express'
import { HttpError, toErrorMessage } from '../errors.ts'
import type { LogLevel } from '../logger/create-logger.ts'
import { toNumberCursor, toPageQuery } from '../http/page-query.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import { attachTraceRecorder } from '../trace/attach-trace-recorder.ts'
import type { TraceStatus } from '../trace/trace.ts'
import { createTraceRecorder } from '../trace/trace-recorder.ts'
import type { AppMetrics } from '../telemetry/create-app-metrics.ts'
import { createLiveEvents } from './live-events.ts'
import { createMetricsRing } from './metrics-ring.ts'
import { createLogTail } from './log-tail.ts'

const uiDir = fileURLToPath(new URL('./ui/', import.meta.url))
const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']
const traceStatuses: readonly TraceStatus[] = ['running', 'ok', 'error']
// Pages only talk to this server; anything a step logged is shown as text, never run.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

export interface WorkbenchOptions {
  mode: 'dev' | 'start'
  /** The app's measurements, which also feed the Metrics view's ring. */
  metrics: AppMetrics
}

/** The Workbench: the web UI at /__motia/workbench and the endpoints it reads (traces, logs, state groups, live events). */
export interface Workbench {
  router: Router
  /** Stops recording and ends live streams. Idempotent. */
  close(): void
}

/** Where the browser build (its ES module) of an installed package is, or one of its files. */
function packageFile(name: string, file?: string): string {
  const require = createRequire(import.meta.url)
  const manifest = require.resolve(`${name}/package.json`)
  const { module } = JSON.parse(readFileSync(manifest, 'utf8')) as { module: string }
  return join(dirname(manifest), file ?? module)
}

/** The libraries the UI imports, served from the installed packages: dagre (graph layout) and uPlot (charts). */
const vendor: Record<string, { name: string; file?: string; type: string }> = {
  'dagre.js': { name: '@dagrejs/dagre', type: 'text/javascript' },
  'uplot.js': { name: 'uplot', type: 'text/javascript' },
  'uplot.css': { name: 'uplot', file: 'dist/uPlot.min.css', type: 'text/css' },
}

function pick<T extends string>(req: Request, name: string, allowed: readonly T[]): T | undefined {
  const value = req.query[name]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new HttpError(400, 'BAD_FILTER', `Unknown ${name} ${JSON.stringify(value)}. Use one of: ${allowed.join(', ')}.`)
  }
  return value as T
}

function text(req: Request, name: string): string | undefined {
  const value = req.query[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** Starts recording the runtime's traces and logs, and builds the Workbench routes. */
export function createWorkbench(runtime: Runtime, options: WorkbenchOptions): Workbench {
  let reporting = false
  const onError = (error: unknown): void => {
    // Logging the error feeds the log tail again; a listener that throws on every line must not loop.
    if (reporting) return
    reporting = true
    try {
      runtime.logger.error(`A Workbench listener threw: ${toErrorMessage(error)}`, { error })
    } finally {
      reporting = false
    }
  }
  const recorder = createTraceRecorder({ onError })
  const detach = attachTraceRecorder(runtime, recorder)
  const logs = createLogTail(runtime.logger, onError)
  const ring = createMetricsRing(runtime.queue, { onError })
  const stopRing = options.metrics.addSink(ring)
  const live = createLiveEvents(runtime, { recorder, logs, ring, hello: { mode: options.mode } })
  const vendorFiles = new Map(Object.entries(vendor).map(([path, { name, file, type }]) => [path, { file: packageFile(name, file), type }]))
  const router = Router()

  router.get('/__motia/traces', (req, res) => {
    const step = text(req, 'step')
    const status = pick(req, 'status', traceStatuses)
    const { limit, cursor } = toPageQuery(req.query, 50, 500)
    const before = toNumberCursor(cursor)
    const page = recorder.list({ limit, ...(before === undefined ? {} : { before }), ...(step ? { step } : {}), ...(status ? { status } : {}) })
    res.json({ traces: page.traces, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) })
  })

  router.get('/__motia/traces/:traceId', (req, res) => {
    const traceId = req.params['traceId'] as string
    const trace = recorder.get(traceId)
    if (!trace) {
      res.status(404).json({ error: `No trace with id "${traceId}". Only the most recent traces are kept, in memory.` })
      return
    }
    res.json(trace)
  })

  router.get('/__motia/logs', (req, res) => {
    const level = pick(req, 'level', logLevels)
    const step = text(req, 'step')
    const traceId = text(req, 'traceId')
    const { limit, cursor } = toPageQuery(req.query, 200, 1000)
    const before = toNumberCursor(cursor)
    const query = { limit, ...(before === undefined ? {} : { before }), ...(level ? { level } : {}), ...(step ? { step } : {}), ...(traceId ? { traceId } : {}) }
    const page = logs.list(query)
    res.json({ logs: page.logs, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) })
  })

  router.get('/__motia/events', live.handler)

  router.get('/__motia/metrics/series', (_req, res) => {
    res.json(ring.series())
  })

  router.get('/__motia/workbench/vendor/:file', (req, res, next) => {
    const found = vendorFiles.get(req.params['file'] as string)
    if (!found) {
      next()
      return
    }
    res.sendFile(found.file, { headers: { 'content-type': `${found.type}; charset=utf-8` } })
  })
  router.use(
    '/__motia/workbench',
    express.static(uiDir, {
      setHeaders(res) {
        res.setHeader('cache-control', 'no-cache')
        res.setHeader('content-security-policy', contentSecurityPolicy)
      },
    }),
  )

  let closed = false
  return {
    router,
    close() {
      if (closed) return
      closed = true
      detach()
      stopRing()
      ring.close()
      logs.close()
      live.close()
    },
  }
}
