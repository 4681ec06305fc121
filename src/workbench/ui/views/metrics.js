import { empty, fill, fmtMs, h, select, setOptions } from '../lib/dom.js'
import { lineChart } from '../lib/chart.js'
import { recentOf, watchMetrics } from '../lib/metrics-data.js'

const ALL = ''
const COLORS = { completed: '#16a34a', failed: '#dc2626', p50: '#4f46e5', p95: '#d97706', depth: '#0891b2' }

function chartCard(title, name) {
  const body = h('div', { class: 'chart', 'data-chart': name })
  return { card: h('div', { class: 'chart-card' }, h('h3', {}, title), body), body }
}

function slowestTable(slowest) {
  if (!slowest.length) return empty('No attempts in the last hour', 'Charts fill in as event steps run jobs.')
  return h(
    'table',
    { class: 'grid-table slowest' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', { class: 'num' }, 'Attempts'), h('th', { class: 'num' }, 'p50'), h('th', { class: 'num' }, 'p95'))),
    h(
      'tbody',
      {},
      slowest.slice(0, 10).map((row) =>
        h(
          'tr',
          { 'data-step': row.step },
          h('td', {}, h('a', { href: `#/metrics?step=${encodeURIComponent(row.step)}` }, row.step)),
          h('td', { class: 'num' }, String(row.attempts)),
          h('td', { class: 'num' }, fmtMs(row.p50)),
          h('td', { class: 'num' }, fmtMs(row.p95)),
        ),
      ),
    ),
  )
}

/** Metrics: throughput, attempt duration (p50, p95) and queue depth over the last hour, overall or for one step, and the slowest steps. */
export function mount(root, route) {
  let step = route.params.get('step') ?? ALL
  let latest = null
  const picker = select({ 'aria-label': 'step' }, [[ALL, 'All steps']], step)
  const caption = h('span', { class: 'muted small' })
  const throughput = chartCard('Throughput (attempts per interval)', 'throughput')
  const duration = chartCard('Attempt duration', 'duration')
  const depth = chartCard('Queue depth (pending and waiting to retry)', 'depth')
  const slowest = h('div', { class: 'slowest-wrap' })
  root.append(
    h(
      'section',
      { class: 'metrics' },
      h('div', { class: 'toolbar' }, picker, h('span', { class: 'spacer' }), caption),
      h('div', { class: 'chart-grid' }, throughput.card, duration.card, depth.card, h('div', { class: 'chart-card' }, h('h3', {}, 'Slowest steps (p95, last hour)'), slowest)),
    ),
  )
  picker.addEventListener('change', () => {
    location.hash = picker.value ? `#/metrics?step=${encodeURIComponent(picker.value)}` : '#/metrics'
  })

  const charts = Promise.all([
    lineChart(throughput.body, { series: [{ label: 'completed', color: COLORS.completed }, { label: 'failed', color: COLORS.failed }] }),
    lineChart(duration.body, { series: [{ label: 'p50', color: COLORS.p50 }, { label: 'p95', color: COLORS.p95 }], format: fmtMs }),
    lineChart(depth.body, { series: [{ label: 'depth', color: COLORS.depth }] }),
  ])

  async function draw(series) {
    latest = series
    const [throughputChart, durationChart, depthChart] = await charts
    const steps = Object.keys(series.steps).sort()
    setOptions(picker, [[ALL, 'All steps'], ...(steps.includes(step) || step === ALL ? steps : [...steps, step])], step)
    const points = recentOf(step === ALL ? series.overall : (series.steps[step] ?? []))
    const times = points.map((point) => point.at)
    throughputChart.set(times, [points.map((point) => point.completed), points.map((point) => point.failed)])
    durationChart.set(times, [points.map((point) => point.p50), points.map((point) => point.p95)])
    depthChart.set(times, [points.map((point) => point.depth)])
    const total = points.reduce((sum, point) => sum + point.completed + point.failed, 0)
    const last = points[points.length - 1]
    Object.assign(root.dataset, { attempts: String(total), lastAt: String(last?.at ?? 0) })
    caption.textContent = `last hour, ${series.resolutionMs / 1000} s intervals · ${total} attempts`
    fill(slowest, slowestTable(series.slowest))
  }

  const stop = watchMetrics((series) => void draw(series))
  return {
    update(next) {
      step = next.params.get('step') ?? ALL
      if (latest) void draw(latest)
    },
    destroy() {
      stop()
      void charts.then((all) => {
        for (const chart of all) chart.destroy()
      })
    },
  }
}
