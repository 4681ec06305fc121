/**
 * Time-series charts drawn by uPlot, served from the installed package with its stylesheet
 * (/__motia/workbench/vendor/uplot.js and uplot.css); loaded on first use.
 */

let loading

function loadUplot() {
  loading ??= (async () => {
    if (!document.querySelector('link[data-vendor="uplot"]')) {
      const link = document.createElement('link')
      link.rel = 'stylesheet'
      link.href = '/__motia/workbench/vendor/uplot.css'
      link.dataset.vendor = 'uplot'
      document.head.append(link)
    }
    return (await import('/__motia/workbench/vendor/uplot.js')).default
  })()
  return loading
}

/**
 * A line chart in `el` of series `[{ label, color, value? }]` over time; `set(times, columns)` draws
 * new data (times in ms, one column per series, null for a gap). Resizes with its element.
 */
export async function lineChart(el, { series, height = 180, format = (value) => String(value) }) {
  const uPlot = await loadUplot()
  const width = () => Math.max(240, el.clientWidth)
  const chart = new uPlot(
    {
      width: width(),
      height,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{ stroke: '#6b7280' }, { stroke: '#6b7280', size: 60, values: (_u, ticks) => ticks.map(format) }],
      series: [
        {},
        ...series.map(({ label, color }) => ({ label, stroke: color, width: 1.5, fill: `${color}22`, spanGaps: false, value: (_u, v) => (v === null || v === undefined ? '–' : format(v)) })),
      ],
    },
    [[], ...series.map(() => [])],
    el,
  )
  const resize = new ResizeObserver(() => chart.setSize({ width: width(), height }))
  resize.observe(el)
  return {
    set(times, columns) {
      chart.setData([times.map((at) => at / 1000), ...columns])
    },
    destroy() {
      resize.disconnect()
      chart.destroy()
    },
  }
}
