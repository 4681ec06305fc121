import { s } from './dom.js'

/** A small SVG line of `values` (oldest first), scaled to its own maximum; its title says the total. */
export function sparkline(values, { width = 120, height = 22, title = '' } = {}) {
  const max = Math.max(1, ...values)
  const step = values.length > 1 ? width / (values.length - 1) : width
  const points = values.map((value, index) => `${(index * step).toFixed(1)},${(height - 1 - (value / max) * (height - 2)).toFixed(1)}`).join(' ')
  return s(
    'svg',
    { class: 'sparkline', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title },
    s('title', {}, title),
    s('polyline', { points, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.2 }),
  )
}
