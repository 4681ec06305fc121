import { createFeed } from '../feed.ts'
import type { JobStats, Queue } from '../queue/queue.ts'
import type { MetricSink } from '../telemetry/watch-measurements.ts'

/** Attempt durations are counted in bins 1.5 times as wide as the one before, from 1 ms up (about 4.6 hours in the last). */
const BIN_GROWTH = 1.5
const BINS = 40
const toBin = (ms: number): number => Math.min(BINS - 1, Math.max(0, Math.ceil(Math.log(Math.max(ms, 1)) / Math.log(BIN_GROWTH))))
/** A bin's upper edge, in ms: what a percentile falling in it is reported as. */
const binEdge = (bin: number): number => Math.round(BIN_GROWTH ** bin * 10) / 10

/** One step (or all of them) in one interval. */
interface Tally {
  completed: number
  failed: number
  bins: Uint32Array
  /** Jobs waiting (pending or failed) when the interval ended; null before it was sampled. */
  depth: number | null
}

interface Slot {
  start: number
  steps: Map<string, Tally>
}

/** One interval as the Workbench draws it; durations in ms, null when no attempt ended in it. */
export interface MetricsPoint {
  at: number
  completed: number
  failed: number
  p50: number | null
  p95: number | null
  depth: number | null
}

/** A step's attempts and durations over the whole window. */
export interface StepSummary {
  step: string
  attempts: number
  p50: number | null
  p95: number | null
}

/** The recent history: `overall` and one series per step, oldest interval first. */
export interface MetricsSeries {
  resolutionMs: number
  overall: MetricsPoint[]
  steps: Record<string, MetricsPoint[]>
  /** Steps by p95 attempt duration over the whole window, slowest first. */
  slowest: StepSummary[]
}

/** An interval that ended, as the live stream sends it, with the window's slowest steps as they are now. */
export interface MetricsInterval {
  overall: MetricsPoint
  steps: Record<string, MetricsPoint>
  slowest: StepSummary[]
}

/** The Workbench's charts' data: a bounded ring of intervals in memory, fed like any metric sink. */
export interface MetricsRing extends MetricSink {
  series(): MetricsSeries
  /** Hears of each interval once it ends, overall and per step. */
  onInterval(listener: (interval: MetricsInterval) => void): () => void
  close(): void
}

const emptyTally = (): Tally => ({ completed: 0, failed: 0, bins: new Uint32Array(BINS), depth: null })

function percentile(bins: Uint32Array, share: number): number | null {
  let total = 0
  for (const count of bins) total += count
  if (total === 0) return null
  const rank = Math.ceil(total * share)
  let seen = 0
  for (let bin = 0; bin < BINS; bin++) {
    seen += bins[bin] ?? 0
    if (seen >= rank) return binEdge(bin)
  }
  return binEdge(BINS - 1)
}

function merge(into: Tally, from: Tally): void {
  into.completed += from.completed
  into.failed += from.failed
  for (let bin = 0; bin < BINS; bin++) into.bins[bin] = (into.bins[bin] ?? 0) + (from.bins[bin] ?? 0)
  if (from.depth !== null) into.depth = (into.depth ?? 0) + from.depth
}

const toPoint = (at: number, tally: Tally): MetricsPoint => ({
  at,
  completed: tally.completed,
  failed: tally.failed,
  p50: percentile(tally.bins, 0.5),
  p95: percentile(tally.bins, 0.95),
  depth: tally.depth,
})

/** Steps by p95 over these intervals, slowest first. */
function slowestOf(slots: readonly Slot[]): StepSummary[] {
  const totals = new Map<string, Tally>()
  for (const slot of slots) {
    for (const [step, tally] of slot.steps) {
      const total = totals.get(step) ?? emptyTally()
      merge(total, tally)
      totals.set(step, total)
    }
  }
  return [...totals]
    .map(([step, tally]) => ({ step, attempts: tally.completed + tally.failed, p50: percentile(tally.bins, 0.5), p95: percentile(tally.bins, 0.95) }))
    .filter((entry) => entry.attempts > 0)
    .sort((a, b) => (b.p95 ?? 0) - (a.p95 ?? 0))
}

const waiting = (counts: JobStats['byStep'][string] | undefined): number => (counts?.pending ?? 0) + (counts?.failed ?? 0)

/**
 * Creates the ring: `slots` intervals of `resolutionMs` (default 720 of 5 s: the last hour). At the end
 * of each interval it samples the queue depth per step and tells its listeners.
 */
export function createMetricsRing(queue: Queue, options: { resolutionMs?: number; slots?: number; onError?: (error: unknown) => void } = {}): MetricsRing {
  const resolutionMs = options.resolutionMs ?? 5_000
  const size = options.slots ?? 720
  const onError = options.onError ?? (() => {})
  const ring: Array<Slot | undefined> = new Array(size)
  const intervals = createFeed<MetricsInterval>(onError)
  const startOf = (time: number): number => Math.floor(time / resolutionMs) * resolutionMs

  function slotAt(start: number): Slot {
    const index = (start / resolutionMs) % size
    let slot = ring[index]
    if (slot?.start !== start) {
      slot = { start, steps: new Map() }
      ring[index] = slot
    }
    return slot
  }
  const tallyOf = (step: string): Tally => {
    const slot = slotAt(startOf(Date.now()))
    let tally = slot.steps.get(step)
    if (!tally) {
      tally = emptyTally()
      slot.steps.set(step, tally)
    }
    return tally
  }

  function pointsOf(slot: Slot): { overall: MetricsPoint; steps: Record<string, MetricsPoint> } {
    const all = emptyTally()
    const steps: Record<string, MetricsPoint> = {}
    for (const [step, tally] of slot.steps) {
      merge(all, tally)
      steps[step] = toPoint(slot.start, tally)
    }
    return { overall: toPoint(slot.start, all), steps }
  }

  /** Samples the depth into the interval that just ended, then reports it. */
  async function endInterval(ended: number): Promise<void> {
    const stats = await queue.stats()
    const slot = slotAt(ended)
    for (const step of Object.keys(stats.byStep)) {
      const tally = slot.steps.get(step) ?? emptyTally()
      tally.depth = waiting(stats.byStep[step])
      slot.steps.set(step, tally)
    }
    if (intervals.active) intervals.report({ ...pointsOf(slot), slowest: slowestOf(windowSlots()) })
  }

  /** The intervals of the window ending now, oldest first; those with nothing recorded are empty. */
  function windowSlots(): Slot[] {
    const newest = startOf(Date.now())
    const slots: Slot[] = []
    for (let start = newest - (size - 1) * resolutionMs; start <= newest; start += resolutionMs) {
      const slot = ring[(start / resolutionMs) % size]
      slots.push(slot?.start === start ? slot : { start, steps: new Map() })
    }
    return slots
  }

  let timer: NodeJS.Timeout | undefined
  const schedule = (): void => {
    const now = Date.now()
    const ended = startOf(now)
    timer = setTimeout(() => {
      endInterval(ended).catch(onError)
      schedule()
    }, ended + resolutionMs - now + 5)
    timer.unref()
  }
  schedule()

  return {
    attemptStarted() {},
    attemptEnded(step, outcome, durationMs) {
      const tally = tallyOf(step)
      if (outcome === 'completed') tally.completed += 1
      else tally.failed += 1
      const bin = toBin(durationMs)
      tally.bins[bin] = (tally.bins[bin] ?? 0) + 1
    },
    jobCancelled() {},
    requestEnded() {},
    series() {
      const slots = windowSlots()
      const overall: MetricsPoint[] = []
      const steps: Record<string, MetricsPoint[]> = {}
      for (const slot of slots) for (const step of slot.steps.keys()) steps[step] ??= []
      for (const slot of slots) {
        const points = pointsOf(slot)
        overall.push(points.overall)
        for (const [step, series] of Object.entries(steps)) series.push(points.steps[step] ?? toPoint(slot.start, emptyTally()))
      }
      return { resolutionMs, overall, steps, slowest: slowestOf(slots) }
    },
    onInterval: (listener) => intervals.listen(listener),
    close() {
      clearTimeout(timer)
    },
  }
}
