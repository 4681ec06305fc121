import { type HrTime, ValueType } from '@opentelemetry/api'
import { millisToHrTime } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import { AggregationTemporality, type CollectionResult, DataPointType, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics'
import { COUNTERS, DURATION_BUCKETS, GAUGES, HISTOGRAMS, type MetricInfo, type MetricSnapshot } from './otel-metrics.ts'

const descriptor = (name: string, { description, unit }: MetricInfo) => ({ name, description, unit, valueType: ValueType.DOUBLE })

/**
 * The metrics of a snapshot as the SDK's instruments would export them: counters as cumulative monotonic
 * sums (an observable counter's), gauges as gauges, and the histograms cumulative with explicit buckets,
 * sum, count, min and max (a histogram with DURATION_BUCKETS as its advice). Metrics with no series are left out.
 */
export function toCollectionResult(snapshot: MetricSnapshot, resource: Resource, scope: string): CollectionResult {
  const startTime: HrTime = millisToHrTime(snapshot.startTime)
  const endTime: HrTime = millisToHrTime(snapshot.time)
  const metrics: MetricData[] = []
  const cumulative = AggregationTemporality.CUMULATIVE
  for (const { name, points } of snapshot.counters) {
    if (points.length === 0) continue
    metrics.push({
      descriptor: descriptor(name, COUNTERS[name]),
      aggregationTemporality: cumulative,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: points.map(({ attributes, value }) => ({ attributes, startTime, endTime, value })),
    })
  }
  for (const { name, points } of snapshot.gauges) {
    if (points.length === 0) continue
    metrics.push({
      descriptor: descriptor(name, GAUGES[name]),
      aggregationTemporality: cumulative,
      dataPointType: DataPointType.GAUGE,
      dataPoints: points.map(({ attributes, value }) => ({ attributes, startTime: endTime, endTime, value })),
    })
  }
  const boundaries = [...DURATION_BUCKETS]
  for (const { name, points } of snapshot.histograms) {
    if (points.length === 0) continue
    metrics.push({
      descriptor: descriptor(name, HISTOGRAMS[name]),
      aggregationTemporality: cumulative,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: points.map(({ attributes, counts, sum, count, min, max }) => ({
        attributes,
        startTime,
        endTime,
        value: { buckets: { boundaries, counts }, sum, count, min, max },
      })),
    })
  }
  return { resourceMetrics: { resource, scopeMetrics: metrics.length > 0 ? [{ scope: { name: scope }, metrics }] : [] }, errors: [] }
}

/**
 * A producer for a metric reader's `metricProducers`: each collection reads a snapshot (from the main
 * thread, where the measurements are counted) and turns it into the export.
 */
export function createSnapshotProducer(read: () => Promise<MetricSnapshot>, resource: Resource, scope: string): MetricProducer {
  return {
    async collect() {
      return toCollectionResult(await read(), resource, scope)
    },
  }
}
