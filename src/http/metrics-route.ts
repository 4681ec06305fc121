import type { RequestHandler } from 'express'
import type { Runtime } from '../runtime/create-runtime.ts'
import type { AppMetrics } from '../telemetry/create-app-metrics.ts'

/** The path Prometheus scrapes, unless a project's own API step serves it. */
export const METRICS_PATH = '/metrics'

/** True when an API step of the project answers GET /metrics itself; then the metrics stay at /__motia/metrics. */
export function isMetricsPathTaken(runtime: Runtime): boolean {
  return runtime.registry.steps().some((step) => step.config.type === 'api' && step.config.method === 'GET' && step.config.path === METRICS_PATH)
}

/** Serves the metrics in the Prometheus text format; the first request starts the counting. */
export function createMetricsRoute(metrics: AppMetrics): RequestHandler {
  return (_req, res, next) => {
    metrics
      .prometheus()
      .then(async (prometheus) => {
        const text = await prometheus.render()
        res.set('content-type', prometheus.contentType)
        res.send(text)
      })
      .catch(next)
  }
}
