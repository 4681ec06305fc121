import type { Row } from '../report.ts'

/** RSS readings (MB) taken by the run at the right moments. */
export interface RssReadings {
  bareIdle: number
  bareAfterLoad: number
  memoryIdle: number
  defaultIdle: number
  memoryAfterFanout?: number
  defaultAfterFanout?: number
}

const IDLE_TARGET_MB = 120

/** Memory rows: idle right after ready, and after the fanout runs, against the bare express process. */
export function memoryRows(rss: RssReadings): Row[] {
  const idleTarget = { on: 'value', kind: 'max', limit: IDLE_TARGET_MB } as const
  const rows: Row[] = [
    { scenario: 'memory', metric: 'RSS idle (--memory)', unit: 'MB', value: rss.memoryIdle, baseline: rss.bareIdle, target: idleTarget },
    { scenario: 'memory', metric: 'RSS idle (default store)', unit: 'MB', value: rss.defaultIdle, baseline: rss.bareIdle, target: idleTarget },
  ]
  const note = 'after the warm-up and timed fanout runs (jobs kept by the queue); baseline: bare express after its api load'
  if (rss.memoryAfterFanout !== undefined) {
    rows.push({ scenario: 'memory', metric: 'RSS after fanout (--memory)', unit: 'MB', value: rss.memoryAfterFanout, baseline: rss.bareAfterLoad, note })
  }
  if (rss.defaultAfterFanout !== undefined) {
    rows.push({ scenario: 'memory', metric: 'RSS after fanout (default store)', unit: 'MB', value: rss.defaultAfterFanout, baseline: rss.bareAfterLoad, note })
  }
  return rows
}
