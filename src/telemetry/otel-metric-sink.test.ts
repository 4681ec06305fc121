import { resourceFromAttributes } from '@opentelemetry/resources'
import { DataPointType, MeterProvider, MetricReader, type MetricReaderOptions } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import type { Queue } from '../queue/queue.ts'
import { createEventLoopLag } from './event-loop-lag.ts'
import { createExplicitHistograms } from './explicit-histograms.ts'
import { createOtelMetricSink } from './otel-metric-sink.ts'

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

const queue = { stats: () => Promise.resolve({ byStep: {} }) } as unknown as Queue

describe('the OTLP metric sink', () => {
  it('exports its duration histograms with the buckets, sums, counts and extremes the SDK histogram would export', async () => {
    const resource = resourceFromAttributes({ 'service.name': 'test' })
    const histograms = createExplicitHistograms('test', resource)
    const reader = new CollectingReader({ metricProducers: [histograms] })
    const provider = new MeterProvider({ resource, readers: [reader] })
    const lag = createEventLoopLag()
    const sink = createOtelMetricSink(provider.getMeter('test'), histograms, queue, lag, () => ({ connections: 0, subscriptions: 0 }))
    // The same values through the SDK's own histogram, with the same boundaries, on a provider of its own.
    const sdkReader = new CollectingReader()
    const sdkProvider = new MeterProvider({ resource, readers: [sdkReader] })
    const boundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    const sdkHistogram = (name: string) => sdkProvider.getMeter('test').createHistogram(name, { unit: 's', advice: { explicitBucketBoundaries: boundaries } })
    const [sdkWait, sdkDuration, sdkRequests] = ['motia.job.queue_wait', 'motia.job.attempt.duration', 'http.server.request.duration'].map(sdkHistogram)
    // Values on bucket bounds (10 ms is in the bucket ending at 0.01), between them, and past the last.
    const millis = [0, 5, 10, 11, 250, 999, 1000, 61_000]
    for (const ms of millis) {
      sink.attemptStarted('Ship', ms)
      sdkWait?.record(ms / 1000, { 'motia.step': 'Ship' })
      sink.attemptEnded('Ship', ms > 500 ? 'failed' : 'completed', ms)
      sdkDuration?.record(ms / 1000, { 'motia.step': 'Ship', 'motia.job.outcome': ms > 500 ? 'failed' : 'completed' })
      sink.requestEnded({ method: 'GET', route: '/hello', status: 200, durationMs: ms })
      sdkRequests?.record(ms / 1000, { 'http.request.method': 'GET', 'http.route': '/hello', 'http.response.status_code': 200 })
    }
    const histogramPoints = async (from: CollectingReader) => {
      const { resourceMetrics } = await from.collect()
      return resourceMetrics.scopeMetrics
        .flatMap(({ metrics }) => metrics)
        .filter((metric) => metric.dataPointType === DataPointType.HISTOGRAM)
        .flatMap(({ descriptor, dataPoints }) => dataPoints.map((point) => ({ name: descriptor.name, unit: descriptor.unit, attributes: point.attributes, value: point.value })))
        .sort((a, b) => JSON.stringify([a.name, a.attributes]).localeCompare(JSON.stringify([b.name, b.attributes])))
    }
    const ours = await histogramPoints(reader)
    expect(ours).toHaveLength(4)
    expect(ours).toEqual(await histogramPoints(sdkReader))
    lag.close()
    await Promise.all([provider.shutdown(), sdkProvider.shutdown()])
  })

  it('exports stream frames per stream, messages received, and the connections and subscriptions read at export', async () => {
    const reader = new CollectingReader()
    const provider = new MeterProvider({ readers: [reader] })
    const lag = createEventLoopLag()
    const histograms = createExplicitHistograms('test', resourceFromAttributes({}))
    const sink = createOtelMetricSink(provider.getMeter('test'), histograms, queue, lag, () => ({ connections: 3, subscriptions: 5 }))
    sink.framesSent?.('todo', 100)
    sink.framesSent?.('todo', 2)
    sink.framesSent?.('chat', 1)
    sink.framesReceived?.(4)
    const { resourceMetrics } = await reader.collect()
    const points = resourceMetrics.scopeMetrics
      .flatMap(({ metrics }) => metrics)
      .flatMap(({ descriptor, dataPoints }) => dataPoints.map((point) => ({ name: descriptor.name, attributes: point.attributes, value: point.value })))
    const valueOf = (name: string, attributes: Record<string, string> = {}) =>
      points.find((point) => point.name === name && JSON.stringify(point.attributes) === JSON.stringify(attributes))?.value
    expect(valueOf('motia.stream.frames.sent', { 'motia.stream.name': 'todo' })).toBe(102)
    expect(valueOf('motia.stream.frames.sent', { 'motia.stream.name': 'chat' })).toBe(1)
    expect(valueOf('motia.stream.frames.received')).toBe(4)
    expect(valueOf('motia.stream.connections')).toBe(3)
    expect(valueOf('motia.stream.subscriptions')).toBe(5)
    lag.close()
    await provider.shutdown()
  })
})
