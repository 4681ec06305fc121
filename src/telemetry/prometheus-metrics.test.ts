import { Counter, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import type { Queue } from '../queue/queue.ts'
import { createEventLoopLag } from './event-loop-lag.ts'
import { createPrometheusMetrics } from './prometheus-metrics.ts'

const queue = { stats: () => Promise.resolve({ byStep: {} }) } as unknown as Queue
const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/** The sample lines of `metric` in a Prometheus text, each with its labels sorted (prom-client writes `le` first, the tally last). */
function samples(text: string, metric: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}_`) || line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
    .map((line) => {
      const match = /^([^{ ]+)(?:\{(.*)\})? (.+)$/.exec(line)
      if (!match) throw new Error(`Not a sample line: ${line}`)
      const [, name, labels = '', value] = match
      return `${name}{${labels.split(/,(?=[a-z_]+=")/).sort().join(',')}} ${value}`
    })
    .sort()
}

describe('the Prometheus metrics', () => {
  it('writes the same samples prom-client writes for the same observations and counts', async () => {
    const lag = createEventLoopLag()
    const metrics = createPrometheusMetrics(queue, lag, () => ({ connections: 0, subscriptions: 0 }))
    const registry = new Registry()
    const registers = [registry]
    const durations = new Histogram({ name: 'motia_job_attempt_duration_seconds', help: '-', labelNames: ['step', 'outcome'], buckets, registers })
    const requests = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: '-',
      labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
      buckets,
      registers,
    })
    const completed = new Counter({ name: 'motia_jobs_completed_total', help: '-', labelNames: ['step'], registers })
    const dead = new Counter({ name: 'motia_jobs_dead_total', help: '-', labelNames: ['step'], registers })

    // On bucket bounds, between them, and past the last one.
    for (const ms of [0, 3, 5, 7, 10, 99, 250, 1_000, 5_000, 60_000, 61_000]) {
      metrics.attemptEnded('Ship', 'completed', ms)
      durations.observe({ step: 'Ship', outcome: 'completed' }, ms / 1000)
      completed.inc({ step: 'Ship' })
    }
    metrics.attemptEnded('Check', 'dead', 42)
    durations.observe({ step: 'Check', outcome: 'dead' }, 0.042)
    dead.inc({ step: 'Check' })
    for (const [status, ms] of [[202, 2], [202, 30], [400, 1]] as const) {
      metrics.requestEnded({ method: 'POST', route: '/orders/:shop', status, durationMs: ms })
      requests.observe({ http_request_method: 'POST', http_route: '/orders/:shop', http_response_status_code: status }, ms / 1000)
    }

    const ours = await metrics.render()
    const theirs = await registry.metrics()
    for (const metric of ['motia_job_attempt_duration_seconds', 'http_server_request_duration_seconds', 'motia_jobs_completed_total', 'motia_jobs_dead_total']) {
      expect(samples(theirs, metric).length, metric).toBeGreaterThan(0)
      expect(samples(ours, metric), metric).toEqual(samples(theirs, metric))
    }
    expect(samples(ours, 'motia_job_attempt_duration_seconds')).toContain('motia_job_attempt_duration_seconds_bucket{le="0.005",outcome="completed",step="Ship"} 3')
    lag.close()
  })
})
