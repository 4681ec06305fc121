import { getJson, send } from '../http.ts'
import { PACED_PER_SECOND } from '../rate-limit-project.ts'
import type { Row } from '../report.ts'
import type { ServerProcess } from '../server.ts'
import { median, since } from '../stats.ts'

export interface RateLimitSettings {
  events: number
  runs: number
  /** Jobs queued for the paced row, and the window its starts are counted in. */
  queued: number
  windowMs: number
}

/** POST /topic-fanout to `topic`, then the long poll until its step counted every event: events per second. */
async function rate(server: ServerProcess, run: string, topic: string, events: number): Promise<number> {
  const start = performance.now()
  const posted = await send(`${server.url}/topic-fanout`, 'POST', { run, n: events, topic })
  if (posted.status !== 202) throw new Error(`POST /topic-fanout answered ${posted.status}: ${posted.body.slice(0, 200)}`)
  const { count } = await getJson<{ count: number }>(`${server.url}/count/${run}?atLeast=${events}`)
  if (count < events) throw new Error(`Run "${run}" counted ${count} of ${events} events within 120 s.`)
  return events / (since(start) / 1000)
}

/**
 * On one server (SQLite or Redis): a step whose rate limit never binds against the same step without
 * one, runs alternating; then `queued` jobs of a step limited to PACED_PER_SECOND, counting its starts
 * in the first `windowMs` after the first.
 */
export async function runRateLimit(server: ServerProcess, label: string, settings: RateLimitSettings): Promise<Row[]> {
  const { events, runs, queued, windowMs } = settings
  await rate(server, 'warm-free', 'bench.free', events)
  await rate(server, 'warm-limited', 'bench.limited', events)
  const free: number[] = []
  const limited: number[] = []
  for (let run = 0; run < runs; run++) {
    free.push(await rate(server, `free-${run}`, 'bench.free', events))
    limited.push(await rate(server, `limited-${run}`, 'bench.limited', events))
  }
  const posted = await send(`${server.url}/topic-fanout`, 'POST', { run: 'paced', n: queued, topic: 'bench.paced' })
  if (posted.status !== 202) throw new Error(`POST /topic-fanout answered ${posted.status}: ${posted.body.slice(0, 200)}`)
  const { count } = await getJson<{ count: number }>(`${server.url}/paced-window?ms=${windowMs}`)
  const perSecond = count / (windowMs / 1000)
  const format = (values: number[]) => values.map((value) => Math.round(value).toLocaleString('en-US')).join(', ')
  const paced = `${queued.toLocaleString('en-US')} jobs queued at once for a step limited to ${PACED_PER_SECOND}/s; ${count} started in the ${windowMs / 1000} s after the first start`
  return [
    {
      scenario: `rate limit (${label})`,
      metric: `${events.toLocaleString('en-US')} events, a limit that never binds`,
      unit: 'events/s',
      value: median(limited),
      baseline: median(free),
      target: { on: 'ratio', kind: 'min', limit: 0.9 },
      note:
        `median of ${runs} runs, alternating after a warm-up of each; value: an event step with rateLimit {limit: 1e9, periodMs: 1000} ` +
        `(runs: ${format(limited)}); baseline: the same step without one (runs: ${format(free)}); each from POST (all emits at once) to the step counting ${events}`,
    },
    {
      scenario: `rate limit (${label})`,
      metric: `${PACED_PER_SECOND}/s limit, starts per second (at least)`,
      unit: 'starts/s',
      value: perSecond,
      baseline: PACED_PER_SECOND,
      target: { on: 'ratio', kind: 'min', limit: 0.95 },
      note: paced,
    },
    {
      scenario: `rate limit (${label})`,
      metric: `${PACED_PER_SECOND}/s limit, starts per second (at most)`,
      unit: 'starts/s',
      value: perSecond,
      baseline: PACED_PER_SECOND,
      target: { on: 'ratio', kind: 'max', limit: 1.05 },
      note: paced,
    },
  ]
}
