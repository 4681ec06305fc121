import { monitorEventLoopDelay } from 'node:perf_hooks'

/** Event-loop delay over the last window, in milliseconds. */
export interface LagReading {
  p50Ms: number
  p99Ms: number
  maxMs: number
}

/** Measures how late the event loop runs timers: a busy loop delays every request and job. */
export interface EventLoopLag {
  read(): LagReading
  close(): void
}

const toMs = (nanoseconds: number): number => Math.round(nanoseconds / 1e4) / 100

/** Starts measuring (Node's `monitorEventLoopDelay`, sampled every 20 ms); a reading covers the last `windowMs` or so. */
export function createEventLoopLag(windowMs = 10_000): EventLoopLag {
  const histogram = monitorEventLoopDelay({ resolution: 20 })
  histogram.enable()
  let last: LagReading = { p50Ms: 0, p99Ms: 0, maxMs: 0 }
  const current = (): LagReading => ({
    p50Ms: toMs(histogram.percentile(50)),
    p99Ms: toMs(histogram.percentile(99)),
    maxMs: toMs(histogram.max),
  })
  const timer = setInterval(() => {
    if (histogram.count > 0) last = current()
    histogram.reset()
  }, windowMs)
  timer.unref()
  return {
    read: () => (histogram.count > 0 ? current() : last),
    close() {
      clearInterval(timer)
      histogram.disable()
    },
  }
}
