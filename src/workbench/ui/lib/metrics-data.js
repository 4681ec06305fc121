/**
 * The Metrics view's data: the last hour from GET /__motia/metrics/series, kept current by the live
 * stream's `metrics` events (one per interval that ended). Series are columns, oldest first.
 */
import { getJson } from './api.js'
import { onLive } from './live.js'

const zero = (at) => ({ at, completed: 0, failed: 0, p50: null, p95: null, depth: null })

/** Adds an interval to a series, replacing the point of the same time, and keeps its length. */
function put(points, point) {
  const last = points[points.length - 1]
  if (last && last.at === point.at) points[points.length - 1] = point
  else if (!last || point.at > last.at) {
    points.push(point)
    points.shift()
  }
}

/** Adds one ended interval (overall and per step) to the series, with the slowest steps as they are now. */
export function addInterval(series, interval) {
  series.slowest = interval.slowest
  put(series.overall, interval.overall)
  for (const [step, point] of Object.entries(interval.steps)) {
    series.steps[step] ??= series.overall.map((overall) => zero(overall.at))
    put(series.steps[step], point)
  }
  for (const [step, points] of Object.entries(series.steps)) {
    if (!(step in interval.steps)) put(points, zero(interval.overall.at))
  }
}

/**
 * Loads the series and calls `draw(series)` now, after each interval and after a reconnect;
 * returns the function that stops it.
 */
export function watchMetrics(draw) {
  let series = null
  let stopped = false
  const load = async () => {
    const loaded = await getJson('/__motia/metrics/series')
    if (stopped) return
    series = loaded
    draw(series)
  }
  const stops = [
    onLive('metrics', (interval) => {
      if (!series) return
      addInterval(series, interval)
      draw(series)
    }),
    onLive('reconnect', () => void load()),
  ]
  void load()
  return () => {
    stopped = true
    for (const stop of stops) stop()
  }
}

/** Completed plus failed attempts per interval: what a step got through. */
export function throughputOf(points) {
  return points.map((point) => point.completed + point.failed)
}

/** Drops the leading intervals with nothing in them, keeping at least the last `keep`: a quiet hour does not squeeze the recent minutes. */
export function recentOf(points, keep = 60) {
  const first = points.findIndex((point) => point.completed + point.failed > 0 || point.depth)
  return points.slice(Math.min(first < 0 ? points.length : first, Math.max(0, points.length - keep)))
}
