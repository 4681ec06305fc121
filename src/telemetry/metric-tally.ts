import type { Queue } from '../queue/queue.ts'
import type { EventLoopLag } from './event-loop-lag.ts'
import {
  type CounterName,
  DURATION_BUCKETS,
  type HistogramName,
  type HistogramPoint,
  type MetricAttributes,
  type MetricSnapshot,
  type ValuePoint,
} from './otel-metrics.ts'
import type { AttemptOutcome, MetricSink, StreamCounts } from './watch-measurements.ts'

/** One histogram series, recorded into directly: a bucket search and four additions, no lookup. */
interface Series extends HistogramPoint {
  record(value: number): void
}

function createSeries(attributes: MetricAttributes): Series {
  return {
    attributes,
    counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0),
    sum: 0,
    count: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    record(value) {
      // The SDK's rule: a value falls in the first bucket whose upper bound is >= it.
      let bucket = 0
      while (bucket < DURATION_BUCKETS.length && value > (DURATION_BUCKETS[bucket] as number)) bucket++
      this.counts[bucket] = (this.counts[bucket] as number) + 1
      this.sum += value
      this.count += 1
      if (value < this.min) this.min = value
      if (value > this.max) this.max = value
    },
  }
}

/**
 * What `make` returns for a request's method, route and status, made once for each of them and then looked up:
 * a sink's series per request kind, so a request costs three map reads rather than labelling a series anew.
 */
function perRequestKind<T>(make: (method: string, route: string, status: number) => T): (method: string, route: string, status: number) => T {
  const byRoute = new Map<string, Map<string, Map<number, T>>>()
  return (method, route, status) => {
    let byMethod = byRoute.get(route)
    if (!byMethod) {
      byMethod = new Map()
      byRoute.set(route, byMethod)
    }
    let byStatus = byMethod.get(method)
    if (!byStatus) {
      byStatus = new Map()
      byMethod.set(method, byStatus)
    }
    let made = byStatus.get(status)
    if (made === undefined) {
      made = make(method, route, status)
      byStatus.set(status, made)
    }
    return made
  }
}

const jobCounts = ['started', 'completed', 'failed', 'dead', 'cancelled'] as const
type JobCount = (typeof jobCounts)[number]

/** Per step: the job counts, and the histogram series of its records, made once rather than per attempt. */
interface StepTally extends Record<JobCount, number> {
  attributes: MetricAttributes
  queueWait: Series
  byOutcome: Record<AttemptOutcome, Series>
}

/** The measurements OTLP exports and `GET /metrics` serves, counted on the main thread and read as a snapshot at each collection or scrape. */
export interface MetricTally extends MetricSink {
  /** Every metric now: the counts and histograms so far, the queue depth, event-loop delay and stream counts read now. */
  snapshot(): Promise<MetricSnapshot>
}

/**
 * Counts what OTLP exports (and Prometheus scrapes) as plain numbers: an attempt costs two histogram records into series kept per
 * step and outcome, a request one into a series kept per route, method and status (maps of maps, so a
 * request builds no key). The OpenTelemetry SDK that turns a snapshot into an export runs in the export
 * worker (see metric-producer.ts), so this thread loads none of it.
 */
export function createMetricTally(queue: Queue, lag: EventLoopLag, streams: () => StreamCounts): MetricTally {
  const startTime = Date.now()
  const steps = new Map<string, StepTally>()
  const tallyOf = (step: string): StepTally => {
    let tally = steps.get(step)
    if (!tally) {
      const outcome = (name: AttemptOutcome) => createSeries({ 'motia.step': step, 'motia.job.outcome': name })
      const attributes = { 'motia.step': step }
      tally = {
        started: 0,
        completed: 0,
        failed: 0,
        dead: 0,
        cancelled: 0,
        attributes,
        queueWait: createSeries(attributes),
        byOutcome: { completed: outcome('completed'), failed: outcome('failed'), dead: outcome('dead') },
      }
      steps.set(step, tally)
    }
    return tally
  }
  /** Request durations by method, route and status, each series also in `requestPoints` for the snapshot. */
  const requestPoints: Series[] = []
  const requestSeries = perRequestKind((method, route, status) => {
    const series = createSeries({ 'http.request.method': method, 'http.route': route, 'http.response.status_code': status })
    requestPoints.push(series)
    return series
  })
  /** Frames sent per stream, and messages received. */
  const sentByStream = new Map<string, ValuePoint>()
  let received = 0

  async function snapshot(): Promise<MetricSnapshot> {
    // The last export comes after the runtime closed, when a store may not answer: the counts still go, without the depth.
    const byStep = await queue.stats().then(
      (stats) => stats.byStep,
      () => ({}),
    )
    const time = Date.now()
    const tallies = [...steps.values()]
    const counters: MetricSnapshot['counters'] = jobCounts.map((count) => ({
      name: `motia.jobs.${count}` as CounterName,
      points: tallies.map((tally) => ({ attributes: tally.attributes, value: tally[count] })),
    }))
    counters.push({ name: 'motia.stream.frames.sent', points: [...sentByStream.values()] })
    counters.push({ name: 'motia.stream.frames.received', points: [{ attributes: {}, value: received }] })
    const depth: ValuePoint[] = []
    for (const [step, counts] of Object.entries(byStep)) {
      for (const status of ['pending', 'running', 'failed', 'dead'] as const) {
        depth.push({ attributes: { 'motia.step': step, 'motia.job.status': status }, value: counts[status] ?? 0 })
      }
    }
    const delay = lag.read()
    const { connections, subscriptions } = streams()
    const one = (value: number): ValuePoint[] => [{ attributes: {}, value }]
    const histogram = (name: HistogramName, series: Series[]) => ({
      name,
      points: series
        .filter((one) => one.count > 0)
        .map(({ attributes, counts, sum, count, min, max }) => ({ attributes, counts: [...counts], sum, count, min, max })),
    })
    return {
      startTime,
      time,
      counters,
      gauges: [
        { name: 'motia.queue.depth', points: depth },
        { name: 'nodejs.eventloop.delay.p50', points: one(delay.p50Ms / 1000) },
        { name: 'nodejs.eventloop.delay.p99', points: one(delay.p99Ms / 1000) },
        { name: 'nodejs.eventloop.delay.max', points: one(delay.maxMs / 1000) },
        { name: 'motia.stream.connections', points: one(connections) },
        { name: 'motia.stream.subscriptions', points: one(subscriptions) },
      ],
      histograms: [
        histogram('motia.job.attempt.duration', tallies.flatMap((tally) => Object.values(tally.byOutcome))),
        histogram('motia.job.queue_wait', tallies.map((tally) => tally.queueWait)),
        histogram('http.server.request.duration', requestPoints),
      ],
    }
  }

  return {
    snapshot,
    attemptStarted(step, waitMs) {
      const tally = tallyOf(step)
      tally.started += 1
      tally.queueWait.record(waitMs / 1000)
    },
    attemptEnded(step, outcome, durationMs) {
      const tally = tallyOf(step)
      tally.byOutcome[outcome].record(durationMs / 1000)
      if (outcome === 'completed') tally.completed += 1
      else tally.failed += 1
      if (outcome === 'dead') tally.dead += 1
    },
    jobCancelled(step) {
      tallyOf(step).cancelled += 1
    },
    requestEnded({ method, route, status, durationMs }) {
      requestSeries(method, route, status).record(durationMs / 1000)
    },
    framesSent(stream, count) {
      let sent = sentByStream.get(stream)
      if (!sent) {
        sent = { attributes: { 'motia.stream.name': stream }, value: 0 }
        sentByStream.set(stream, sent)
      }
      sent.value += count
    },
    framesReceived(count) {
      received += count
    },
  }
}
