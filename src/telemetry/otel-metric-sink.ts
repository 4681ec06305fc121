import type { Attributes, Meter } from '@opentelemetry/api'
import type { Queue } from '../queue/queue.ts'
import type { EventLoopLag } from './event-loop-lag.ts'
import type { ExplicitHistograms, HistogramSeries } from './explicit-histograms.ts'
import type { AttemptOutcome, MetricSink, StreamCounts } from './watch-measurements.ts'

const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

const counts = ['started', 'completed', 'failed', 'dead', 'cancelled'] as const
type Count = (typeof counts)[number]

const descriptions: Record<Count, string> = {
  started: 'Job attempts started.',
  completed: 'Jobs completed.',
  failed: 'Job attempts failed (retried or dead).',
  dead: 'Jobs moved to the dead-letter queue.',
  cancelled: 'Jobs cancelled.',
}

/**
 * Records measurements on OpenTelemetry instruments, named as `GET /metrics` names them (`motia.jobs.started`
 * is `motia_jobs_started_total` there). Job counts are kept per step here and observed at each export,
 * so an attempt costs two histogram records, into series of `histograms` (exported through the reader's
 * `metricProducers`) kept per step and outcome; stream frames are tallied the same way; queue depth,
 * event-loop delay and the open stream connections and subscriptions are read at each export.
 */
export function createOtelMetricSink(
  meter: Meter,
  histograms: ExplicitHistograms,
  queue: Queue,
  lag: EventLoopLag,
  streams: () => StreamCounts,
): MetricSink {
  /** Per step: the counts, and the histogram series of its records, made once rather than per attempt. */
  interface StepTally extends Record<Count, number> {
    attributes: Attributes
    queueWait: HistogramSeries
    byOutcome: Record<AttemptOutcome, HistogramSeries>
  }
  const tallies = new Map<string, StepTally>()
  const tallyOf = (step: string): StepTally => {
    let tally = tallies.get(step)
    if (!tally) {
      const outcome = (name: AttemptOutcome) => attemptDuration.series({ 'motia.step': step, 'motia.job.outcome': name })
      const attributes = { 'motia.step': step }
      tally = {
        started: 0,
        completed: 0,
        failed: 0,
        dead: 0,
        cancelled: 0,
        attributes,
        queueWait: queueWait.series(attributes),
        byOutcome: { completed: outcome('completed'), failed: outcome('failed'), dead: outcome('dead') },
      }
      tallies.set(step, tally)
    }
    return tally
  }
  const counters = counts.map((name) => ({
    name,
    counter: meter.createObservableCounter(`motia.jobs.${name}`, { description: descriptions[name], unit: '{job}' }),
  }))
  meter.addBatchObservableCallback(
    (result) => {
      for (const tally of tallies.values()) {
        for (const { name, counter } of counters) result.observe(counter, tally[name], tally.attributes)
      }
    },
    counters.map(({ counter }) => counter),
  )
  const seconds = (name: string, description: string) => histograms.histogram(name, description, 's', durationBuckets)
  const attemptDuration = seconds('motia.job.attempt.duration', 'Duration of job attempts.')
  const queueWait = seconds('motia.job.queue_wait', 'Time an attempt waited between when it could run and when it started.')
  const requestDuration = seconds('http.server.request.duration', 'Duration of HTTP requests to API steps.')
  /** Request duration series by route, method and status: maps of maps, so a request builds no key. */
  const requests = new Map<string, Map<string, Map<number, HistogramSeries>>>()
  const requestSeries = (method: string, route: string, status: number): HistogramSeries => {
    let byMethod = requests.get(route)
    if (!byMethod) {
      byMethod = new Map()
      requests.set(route, byMethod)
    }
    let byStatus = byMethod.get(method)
    if (!byStatus) {
      byStatus = new Map()
      byMethod.set(method, byStatus)
    }
    let series = byStatus.get(status)
    if (!series) {
      series = requestDuration.series({ 'http.request.method': method, 'http.route': route, 'http.response.status_code': status })
      byStatus.set(status, series)
    }
    return series
  }

  meter.createObservableGauge('motia.queue.depth', { description: 'Jobs in the queue per step and status.', unit: '{job}' }).addCallback(
    async (result) => {
      const { byStep } = await queue.stats()
      for (const [step, counts] of Object.entries(byStep)) {
        for (const status of ['pending', 'running', 'failed', 'dead'] as const) {
          result.observe(counts[status] ?? 0, { 'motia.step': step, 'motia.job.status': status })
        }
      }
    },
  )
  /** A gauge observed from `read` at each export. */
  const readGauge = (name: string, description: string, unit: string, read: () => number) =>
    meter.createObservableGauge(name, { description, unit }).addCallback((result) => result.observe(read()))
  const delay = (name: 'p50' | 'p99' | 'max', pick: (reading: ReturnType<EventLoopLag['read']>) => number) =>
    readGauge(`nodejs.eventloop.delay.${name}`, `Event-loop delay (${name}).`, 's', () => pick(lag.read()) / 1000)
  delay('p50', (reading) => reading.p50Ms)
  delay('p99', (reading) => reading.p99Ms)
  delay('max', (reading) => reading.maxMs)

  /** Frames sent per stream (with its attribute set, made once) and messages received, observed at each export. */
  const sentByStream = new Map<string, { count: number; attributes: Attributes }>()
  let received = 0
  const framesSent = meter.createObservableCounter('motia.stream.frames.sent', { description: 'Stream frames sent to clients (changes, syncs, errors).', unit: '{frame}' })
  const framesReceived = meter.createObservableCounter('motia.stream.frames.received', { description: 'Messages received from stream clients.', unit: '{frame}' })
  meter.addBatchObservableCallback(
    (result) => {
      for (const { count, attributes } of sentByStream.values()) result.observe(framesSent, count, attributes)
      result.observe(framesReceived, received)
    },
    [framesSent, framesReceived],
  )
  readGauge('motia.stream.connections', 'Open stream (WebSocket) connections.', '{connection}', () => streams().connections)
  readGauge('motia.stream.subscriptions', 'Stream subscriptions (joins not left yet) of the open connections.', '{subscription}', () => streams().subscriptions)

  return {
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
      let tally = sentByStream.get(stream)
      if (!tally) {
        tally = { count: 0, attributes: { 'motia.stream.name': stream } }
        sentByStream.set(stream, tally)
      }
      tally.count += count
    },
    framesReceived(count) {
      received += count
    },
  }
}
