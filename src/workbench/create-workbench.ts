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
import { createLiveEvents } from './live-events.ts'
import { createLogTail } from './log-tail.ts'

const uiDir = fileURLToPath(new URL('./ui/', import.meta.url))
const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']
const traceStatuses: readonly TraceStatus[] = ['running', 'ok', 'error']
// Pages only talk to this server; anything a step logged is shown as text, never run.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

export interface WorkbenchOptions {
  mode: 'dev' | 'start'
}

/** The Workbench: the web UI at /__motia/workbench and the endpoints it reads (traces, logs, state groups, live events). */
export interface Workbench {
  router: Router
  /** Stops recording and ends live streams. Idempotent. */
  close(): void
}

/** Where the browser build of dagre (the graph layout library) is installed. */
function dagreFile(): string {
  const require = createRequire(import.meta.url)
  const manifest = require.resolve('@dagrejs/dagre/package.json')
  const { module } = JSON.parse(readFileSync(manifest, 'utf8')) as { module: string }
  return join(dirname(manifest), module)
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
  const live = createLiveEvents(runtime, { recorder, logs, hello: { mode: options.mode } })
  const dagre = dagreFile()
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

  router.get('/__motia/workbench/vendor/dagre.js', (_req, res) => {
    res.sendFile(dagre, { headers: { 'content-type': 'text/javascript; charset=utf-8' } })
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
      logs.close()
      live.close()
    },
  }
}
