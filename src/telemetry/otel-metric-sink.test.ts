import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import type { Queue } from '../queue/queue.ts'
import { createEventLoopLag } from './event-loop-lag.ts'
import { createOtelMetricSink } from './otel-metric-sink.ts'

/** A reader that exports nothing: the test collects what an export would send. */
class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

describe('the OTLP metric sink', () => {
  it('exports stream frames per stream, messages received, and the connections and subscriptions read at export', async () => {
    const reader = new CollectingReader()
    const provider = new MeterProvider({ readers: [reader] })
    const lag = createEventLoopLag()
    const queue = { stats: () => Promise.resolve({ byStep: {} }) } as unknown as Queue
    const sink = createOtelMetricSink(provider.getMeter('test'), queue, lag, () => ({ connections: 3, subscriptions: 5 }))
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
