import { resourceFromAttributes } from '@opentelemetry/resources'
import { type CollectionResult, DataPointType, MeterProvider, MetricReader, type MetricReaderOptions } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import type { Queue } from '../queue/queue.ts'
import { createEventLoopLag } from './event-loop-lag.ts'
import { toCollectionResult } from './metric-producer.ts'
import { createMetricTally } from './metric-tally.ts'

/** A reader that exports nothing: the test collects what an export would send. */
class CollectingReader extends MetricReader {
  constructor(options?: MetricReaderOptions) {
    super(options)
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

const resource = resourceFromAttributes({ 'service.name': 'test' })
const byStep = { Ship: { pending: 2, running: 1, failed: 0, dead: 3, completed: 9 } }
const queue = { stats: () => Promise.resolve({ byStep }) } as unknown as Queue

/** The data points of a collection, by metric name, with their attributes. */
function pointsOf({ resourceMetrics }: CollectionResult) {
  return resourceMetrics.scopeMetrics
    .flatMap(({ metrics }) => metrics)
    .flatMap((metric) =>
      metric.dataPoints.map((point) => ({
        name: metric.descriptor.name,
        unit: metric.descriptor.unit,
        type: metric.dataPointType,
        attributes: point.attributes,
        value: point.value,
      })),
    )
}

/** The metrics of a tally as the export worker turns its snapshot into an export. */
async function exported(tally: ReturnType<typeof createMetricTally>) {
  return pointsOf(toCollectionResult(await tally.snapshot(), resource, 'test'))
}

describe('the OTLP metric tally', () => {
  it('exports its duration histograms with the buckets, sums, counts and extremes the SDK histogram would export', async () => {
    const lag = createEventLoopLag()
    const tally = createMetricTally(queue, lag, () => ({ connections: 0, subscriptions: 0 }))
    // The same values through the SDK's own histogram, with the same boundaries.
    const sdkReader = new CollectingReader()
    const sdkProvider = new MeterProvider({ resource, readers: [sdkReader] })
    const boundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    const sdkHistogram = (name: string) => sdkProvider.getMeter('test').createHistogram(name, { unit: 's', advice: { explicitBucketBoundaries: boundaries } })
    const [sdkWait, sdkDuration, sdkRequests] = ['motia.job.queue_wait', 'motia.job.attempt.duration', 'http.server.request.duration'].map(sdkHistogram)
    // Values on bucket bounds (10 ms is in the bucket ending at 0.01), between them, and past the last.
    const millis = [0, 5, 10, 11, 250, 999, 1000, 61_000]
    for (const ms of millis) {
      tally.attemptStarted('Ship', ms)
      sdkWait?.record(ms / 1000, { 'motia.step': 'Ship' })
      tally.attemptEnded('Ship', ms > 500 ? 'failed' : 'completed', ms)
      sdkDuration?.record(ms / 1000, { 'motia.step': 'Ship', 'motia.job.outcome': ms > 500 ? 'failed' : 'completed' })
      tally.requestEnded({ method: 'GET', route: '/hello', status: 200, durationMs: ms })
      sdkRequests?.record(ms / 1000, { 'http.request.method': 'GET', 'http.route': '/hello', 'http.response.status_code': 200 })
    }
    const histograms = (points: ReturnType<typeof pointsOf>) =>
      points
        .filter((point) => point.type === DataPointType.HISTOGRAM)
        .map(({ name, unit, attributes, value }) => ({ name, unit, attributes, value }))
        .sort((a, b) => JSON.stringify([a.name, a.attributes]).localeCompare(JSON.stringify([b.name, b.attributes])))
    const ours = histograms(await exported(tally))
    expect(ours).toHaveLength(4)
    expect(ours).toEqual(histograms(pointsOf(await sdkReader.collect())))
    lag.close()
    await sdkProvider.shutdown()
  })

  it('exports job counts per step, the queue depth per step and status, and the event-loop delay', async () => {
    const lag = createEventLoopLag()
    const tally = createMetricTally(queue, lag, () => ({ connections: 0, subscriptions: 0 }))
    tally.attemptStarted('Ship', 1)
    tally.attemptEnded('Ship', 'failed', 2)
    tally.attemptStarted('Ship', 1)
    tally.attemptEnded('Ship', 'dead', 2)
    tally.attemptStarted('Check', 1)
    tally.attemptEnded('Check', 'completed', 2)
    tally.jobCancelled('Check')
    const points = await exported(tally)
    const valueOf = (name: string, attributes: Record<string, string>) =>
      points.find((point) => point.name === name && JSON.stringify(point.attributes) === JSON.stringify(attributes))?.value
    expect(valueOf('motia.jobs.started', { 'motia.step': 'Ship' })).toBe(2)
    expect(valueOf('motia.jobs.failed', { 'motia.step': 'Ship' })).toBe(2)
    expect(valueOf('motia.jobs.dead', { 'motia.step': 'Ship' })).toBe(1)
    expect(valueOf('motia.jobs.completed', { 'motia.step': 'Ship' })).toBe(0)
    expect(valueOf('motia.jobs.completed', { 'motia.step': 'Check' })).toBe(1)
    expect(valueOf('motia.jobs.cancelled', { 'motia.step': 'Check' })).toBe(1)
    expect(points.find((point) => point.name === 'motia.jobs.started')?.type).toBe(DataPointType.SUM)
    expect(valueOf('motia.queue.depth', { 'motia.step': 'Ship', 'motia.job.status': 'pending' })).toBe(2)
    expect(valueOf('motia.queue.depth', { 'motia.step': 'Ship', 'motia.job.status': 'dead' })).toBe(3)
    expect(points.filter((point) => point.name === 'motia.queue.depth')).toHaveLength(4)
    const delay = points.find((point) => point.name === 'nodejs.eventloop.delay.p99')
    expect(delay).toMatchObject({ unit: 's', type: DataPointType.GAUGE })
    lag.close()
  })

  it('still exports the counts when the queue cannot say its depth (the last export, after the store closed)', async () => {
    const lag = createEventLoopLag()
    const closed = { stats: () => Promise.reject(new Error('Connection is closed.')) } as unknown as Queue
    const tally = createMetricTally(closed, lag, () => ({ connections: 0, subscriptions: 0 }))
    tally.attemptStarted('Ship', 1)
    tally.attemptEnded('Ship', 'completed', 2)
    const points = await exported(tally)
    expect(points.find((point) => point.name === 'motia.jobs.completed')?.value).toBe(1)
    expect(points.filter((point) => point.name === 'motia.queue.depth')).toEqual([])
    lag.close()
  })

  it('exports stream frames per stream, messages received, and the connections and subscriptions read at export', async () => {
    const lag = createEventLoopLag()
    const tally = createMetricTally(queue, lag, () => ({ connections: 3, subscriptions: 5 }))
    tally.framesSent?.('todo', 100)
    tally.framesSent?.('todo', 2)
    tally.framesSent?.('chat', 1)
    tally.framesReceived?.(4)
    const points = await exported(tally)
    const valueOf = (name: string, attributes: Record<string, string> = {}) =>
      points.find((point) => point.name === name && JSON.stringify(point.attributes) === JSON.stringify(attributes))?.value
    expect(valueOf('motia.stream.frames.sent', { 'motia.stream.name': 'todo' })).toBe(102)
    expect(valueOf('motia.stream.frames.sent', { 'motia.stream.name': 'chat' })).toBe(1)
    expect(valueOf('motia.stream.frames.received')).toBe(4)
    expect(valueOf('motia.stream.connections')).toBe(3)
    expect(valueOf('motia.stream.subscriptions')).toBe(5)
    lag.close()
  })
})
