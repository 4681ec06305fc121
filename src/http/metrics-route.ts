import type { RequestHandler } from 'express'
import type { Runtime } from '../runtime/create-runtime.ts'
import type { PrometheusMetrics } from '../telemetry/prometheus-metrics.ts'

/** The path Prometheus scrapes, unless a project's own API step serves it. */
export const METRICS_PATH = '/metrics'

/** True when an API step of the project answers GET /metrics itself; then the metrics stay at /__motia/metrics. */
export function isMetricsPathTaken(runtime: Runtime): boolean {
  return runtime.registry.steps().some((step) => step.config.type === 'api' && step.config.method === 'GET' && step.config.path === METRICS_PATH)
}

/** Serves the metrics in the Prometheus text format. */
export function createMetricsRoute(metrics: PrometheusMetrics): RequestHandler {
  return (_req, res, next) => {
    metrics.render().then((text) => {
      res.set('content-type', metrics.contentType)
      res.send(text)
    }, next)
  }
}
