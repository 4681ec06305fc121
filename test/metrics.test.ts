import { networkInterfaces } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../src/queue/queue.ts'
import { eventually } from './helpers/spawn-cli.ts'
import { sample } from './helpers/prometheus-sample.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

async function placeOrder(app: TestApp, body: object): Promise<void> {
  expect((await app.json('/orders/north', { method: 'POST', body: JSON.stringify(body) })).status).toBe(202)
}

describe('GET /metrics', () => {
  let app: TestApp
  let text: string
  beforeAll(async () => {
    app = await startFixture(fixture('telemetry'), { mode: 'start' })
    // Counting starts with the first scrape, as a Prometheus server makes it once the app is up.
    const first = await app.fetch('/metrics')
    expect(first.status).toBe(200)
    expect(await first.text()).not.toContain('motia_jobs_started_total{')
    // One job to cancel while it waits for its delay, then three that complete, retry once, and die.
    await placeOrder(app, { id: 'm-cancel', shipDelayMs: 60_000 })
    const waiting = await eventually(async () => {
      const { body } = await app.json<{ jobs: Job[] }>('/__motia/jobs?step=ShipOrder&status=pending')
      return body.jobs[0]
    })
    expect((await app.json(`/__motia/jobs/${waiting.id}/cancel`, { method: 'POST' })).status).toBe(200)
    await placeOrder(app, { id: 'm-ok' })
    await placeOrder(app, { id: 'm-retry', failShipping: true })
    await placeOrder(app, { id: 'm-dead', failAlways: true })
    await app.runtime.queue.drain()
    const response = await app.fetch('/metrics')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    text = await response.text()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('counts job attempts per step exactly', () => {
    expect(sample(text, 'motia_jobs_started_total{step="CheckOrder"}')).toBe(4)
    expect(sample(text, 'motia_jobs_completed_total{step="CheckOrder"}')).toBe(4)
    expect(sample(text, 'motia_jobs_started_total{step="ShipOrder"}')).toBe(5)
    expect(sample(text, 'motia_jobs_completed_total{step="ShipOrder"}')).toBe(2)
    expect(sample(text, 'motia_jobs_failed_total{step="ShipOrder"}')).toBe(3)
    expect(sample(text, 'motia_jobs_dead_total{step="ShipOrder"}')).toBe(1)
    expect(sample(text, 'motia_jobs_cancelled_total{step="ShipOrder"}')).toBe(1)
    expect(sample(text, 'motia_jobs_failed_total{step="CheckOrder"}')).toBeUndefined()
  })

  it('has attempt duration and queue-wait histograms per step, and request durations per route and status', () => {
    expect(sample(text, 'motia_job_attempt_duration_seconds_count{step="ShipOrder",outcome="completed"}')).toBe(2)
    expect(sample(text, 'motia_job_attempt_duration_seconds_count{step="ShipOrder",outcome="failed"}')).toBe(2)
    expect(sample(text, 'motia_job_attempt_duration_seconds_count{step="ShipOrder",outcome="dead"}')).toBe(1)
    expect(sample(text, 'motia_job_queue_wait_seconds_count{step="CheckOrder"}')).toBe(4)
    expect(
      sample(text, 'http_server_request_duration_seconds_count{http_request_method="POST",http_route="/orders/:shop",http_response_status_code="202"}'),
    ).toBe(4)
  })

  it('reports the queue depth per step and status, and the event-loop delay', () => {
    expect(sample(text, 'motia_queue_depth{step="ShipOrder",status="dead"}')).toBe(1)
    expect(sample(text, 'motia_queue_depth{step="ShipOrder",status="pending"}')).toBe(0)
    expect(sample(text, 'nodejs_eventloop_delay_p99_seconds')).toBeGreaterThanOrEqual(0)
  })

  it('reports the event-loop lag in /__motia/health', async () => {
    const { body } = await app.json<{ status: string; eventLoopLagMs: Record<string, number> }>('/__motia/health')
    expect(body.status).toBe('ok')
    expect(Object.keys(body.eventLoopLagMs).sort()).toEqual(['maxMs', 'p50Ms', 'p99Ms'])
    expect(body.eventLoopLagMs['p99Ms']).toBeGreaterThan(0)
  })
})

/** An address of this machine that is not loopback, so the admin guard treats the test as a remote caller. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === 'IPv4' && !address.internal)?.address

describe.skipIf(!outside)('GET /metrics seen from the network', () => {
  it('needs the admin token, like the other built-in endpoints', async () => {
    const app = await startFixture(fixture('telemetry'), { mode: 'start', adminToken: 's3cret', host: outside as string })
    try {
      expect((await app.fetch('/metrics')).status).toBe(401)
      const scraped = await app.fetch('/metrics', { headers: { authorization: 'Bearer s3cret' } })
      expect(scraped.status).toBe(200)
      expect(await scraped.text()).toContain('# TYPE motia_jobs_started_total counter')
    } finally {
      await app.close()
    }
  })
})
