import { s } from './dom.js'
import { layoutGraph } from './graph-layout.js'

const FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif'
const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace'
const NODE_HEIGHT = 58
const NODE_MIN = 190
const NODE_MAX = 340
const TYPE_LABEL = { api: 'API', event: 'EVENT', cron: 'CRON', noop: 'NOOP' }

const canvas = document.createElement('canvas').getContext('2d')
function textWidth(text, font) {
  canvas.font = font
  return canvas.measureText(text).width
}

/** Shortens text to fit `max` pixels in `font`. */
function fit(text, font, max) {
  if (textWidth(text, font) <= max) return text
  let cut = text
  while (cut.length > 1 && textWidth(`${cut}…`, font) > max) cut = cut.slice(0, -1)
  return `${cut}…`
}

/** The second line of a node: what calls it. */
export function nodeSubtitle(node) {
  if (node.type === 'api') return `${node.method} ${node.path}`
  if (node.type === 'cron') return node.cron
  if (node.type === 'event') return node.subscribes.length ? `on ${node.subscribes.join(', ')}` : 'no subscriptions'
  return node.subscribes.length ? `virtual · on ${node.subscribes.join(', ')}` : 'virtual step'
}

function edgeText(edge) {
  return edge.label ? `${edge.label} · ${edge.topic}` : edge.topic
}

/** Node and edge-label sizes, from the text they show. */
const measure = {
  node(node) {
    const pill = textWidth(TYPE_LABEL[node.type], `700 10px ${FONT}`) + 16
    const name = textWidth(node.name, `600 14px ${FONT}`) + pill + 40
    const sub = textWidth(nodeSubtitle(node), `12px ${MONO}`) + 32
    return { width: Math.min(NODE_MAX, Math.max(NODE_MIN, name, sub)), height: NODE_HEIGHT }
  },
  edge(edge) {
    return { width: Math.min(260, textWidth(edgeText(edge), `11.5px ${MONO}`) + 18), height: 22 }
  },
}

/** A smooth path through dagre's bend points. */
function pathThrough(points) {
  const [first, ...rest] = points
  let d = `M${first.x},${first.y}`
  for (let i = 0; i < rest.length - 1; i += 1) {
    const here = rest[i]
    const next = rest[i + 1]
    d += ` Q${here.x},${here.y} ${(here.x + next.x) / 2},${(here.y + next.y) / 2}`
  }
  const last = rest[rest.length - 1] ?? first
  return `${d} L${last.x},${last.y}`
}

function renderNode(data, warned, selected) {
  const { node, x, y, width, height } = data
  const pillWidth = textWidth(TYPE_LABEL[node.type], `700 10px ${FONT}`) + 16
  const nameMax = width - pillWidth - 40
  return s(
    'g',
    {
      class: ['node', `node-${node.type}`, selected && 'selected', warned && 'warned'],
      transform: `translate(${x - width / 2},${y - height / 2})`,
      'data-node-id': node.id,
      tabindex: 0,
      role: 'button',
      'aria-label': `${node.type} step ${node.name}`,
    },
    s('rect', { class: 'node-box', width, height, rx: 10 }),
    s('rect', { class: 'node-accent', x: 0, y: 10, width: 4, height: height - 20, rx: 2 }),
    s('rect', { class: 'node-pill', x: 16, y: 10, width: pillWidth, height: 18, rx: 9 }),
    s('text', { class: 'node-pill-text', x: 16 + pillWidth / 2, y: 23, 'text-anchor': 'middle' }, TYPE_LABEL[node.type]),
    s('text', { class: 'node-name', x: 24 + pillWidth, y: 24 }, fit(node.name, `600 14px ${FONT}`, nameMax)),
    s('text', { class: 'node-sub', x: 16, y: 46 }, fit(nodeSubtitle(node), `12px ${MONO}`, width - 32)),
    warned ? s('g', { class: 'node-warn', transform: `translate(${width - 3},3)` }, s('circle', { r: 8 }), s('text', { y: 4, 'text-anchor': 'middle' }, '!')) : null,
    s('title', {}, `${node.name} (${node.file})`),
  )
}

function renderEdge(data, active) {
  const { edge, points, x, y, width } = data
  const dashed = edge.conditional || edge.virtual
  return s(
    'g',
    {
      class: ['edge', dashed && 'dashed', edge.virtual && 'virtual', edge.conditional && 'conditional', active && 'active'],
      'data-edge': `${edge.from}|${edge.to}|${edge.topic}`,
    },
    s('path', { class: 'edge-line', d: pathThrough(points), 'marker-end': active ? 'url(#arrow-active)' : 'url(#arrow)' }),
    s(
      'g',
      { class: 'edge-label', transform: `translate(${x},${y})` },
      s('rect', { x: -width / 2, y: -11, width, height: 22, rx: 11 }),
      s('text', { y: 4, 'text-anchor': 'middle' }, fit(edgeText(edge), `11.5px ${MONO}`, width - 14)),
      s('title', {}, `${edge.topic}${edge.label ? ` (${edge.label})` : ''}${edge.conditional ? ', conditional' : ''}${edge.virtual ? ', virtual' : ''}`),
    ),
  )
}

/**
 * Draws flow graphs into `container` as SVG with pan (drag) and zoom (wheel). `onSelect` gets the
 * id of a clicked node, or null for a click on the background.
 */
export function createGraphView(container, { onSelect }) {
  const viewport = s('g', { class: 'viewport' })
  const svg = s(
    'svg',
    { class: 'graph', role: 'img', 'aria-label': 'flow graph' },
    s(
      'defs',
      {},
      s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' })),
      s('marker', { id: 'arrow-active', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow active' })),
    ),
    viewport,
  )
  container.append(svg)
  let view = { x: 0, y: 0, k: 1 }
  /** Set once the user pans or zooms: from then on the drawing stays where they put it. */
  let moved = false
  let size = { width: 0, height: 0 }
  let positions = new Map()
  const apply = () => viewport.setAttribute('transform', `translate(${view.x},${view.y}) scale(${view.k})`)
  const scaleFor = (laid, box) => Math.min((box.width - 32) / (laid.width || 1), (box.height - 32) / (laid.height || 1))
  /** Left to right reads best; top to bottom when it lets the drawing be much larger in this box. */
  const bestLayout = (graph) => {
    const box = svg.getBoundingClientRect()
    const aspect = box.width && box.height ? box.width / box.height : 1.6
    const wide = layoutGraph(graph, 'LR', aspect, measure)
    if (!box.width || graph.nodes.length < 3) return wide
    const tall = layoutGraph(graph, 'TB', aspect, measure)
    return scaleFor(tall, box) > scaleFor(wide, box) * 1.25 ? tall : wide
  }

  svg.addEventListener('wheel', (event) => {
    event.preventDefault()
    const box = svg.getBoundingClientRect()
    const cx = event.clientX - box.left
    const cy = event.clientY - box.top
    const k = Math.min(3, Math.max(0.2, view.k * Math.exp(-event.deltaY * 0.0015)))
    view = { k, x: cx - ((cx - view.x) * k) / view.k, y: cy - ((cy - view.y) * k) / view.k }
    moved = true
    apply()
  }, { passive: false })

  let drag = null
  svg.addEventListener('pointerdown', (event) => {
    if (event.target.closest('.node')) return
    drag = { x: event.clientX, y: event.clientY, moved: false }
    svg.setPointerCapture(event.pointerId)
  })
  svg.addEventListener('pointermove', (event) => {
    if (!drag) return
    const dx = event.clientX - drag.x
    const dy = event.clientY - drag.y
    if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true
    view = { ...view, x: view.x + dx, y: view.y + dy }
    if (drag.moved) moved = true
    drag.x = event.clientX
    drag.y = event.clientY
    apply()
  })
  svg.addEventListener('pointerup', (event) => {
    const wasClick = drag && !drag.moved
    drag = null
    if (wasClick && !event.target.closest('.node')) onSelect(null)
  })
  svg.addEventListener('click', (event) => {
    const node = event.target.closest('.node')
    if (node) onSelect(node.dataset.nodeId)
  })
  svg.addEventListener('keydown', (event) => {
    const node = event.target.closest('.node')
    if (node && (event.key === 'Enter' || event.key === ' ')) onSelect(node.dataset.nodeId)
  })

  return {
    /** Draws a graph; `selected` highlights a node and its edges. */
    render(graph, selected, warnedSteps) {
      const laid = bestLayout(graph)
      size = { width: laid.width, height: laid.height }
      positions = new Map(laid.nodes.map((item) => [item.node.id, item]))
      const edges = laid.edges.map((item) => renderEdge(item, selected && (item.edge.from === selected || item.edge.to === selected)))
      const nodes = laid.nodes.map((item) => renderNode(item, warnedSteps.has(item.node.id), item.node.id === selected))
      viewport.replaceChildren(...edges, ...nodes)
    },
    /** Scales and centers the drawing in the visible area, leaving `rightInset` pixels free on the right. */
    fit(rightInset = 0) {
      const box = svg.getBoundingClientRect()
      const width = box.width - rightInset
      if (!size.width || width <= 0) return
      const k = Math.max(0.35, Math.min(1.25, (width - 32) / size.width, (box.height - 32) / size.height))
      view = { k, x: Math.max(16, (width - size.width * k) / 2), y: Math.max(16, (box.height - size.height * k) / 2) }
      moved = false
      apply()
    },
    /** Makes room for `rightInset` pixels on the right (a details panel): fits again unless the user moved the drawing, else pans the node into view. */
    reveal(id, rightInset) {
      if (!moved) {
        this.fit(rightInset)
        return
      }
      const node = positions.get(id)
      const box = svg.getBoundingClientRect()
      if (!node || !box.width) return
      const right = view.x + (node.x + node.width / 2) * view.k
      const limit = box.width - rightInset - 24
      if (right > limit) {
        view = { ...view, x: view.x - (right - limit) }
        apply()
      }
    },
    zoom(factor) {
      const box = svg.getBoundingClientRect()
      const k = Math.min(3, Math.max(0.2, view.k * factor))
      view = { k, x: box.width / 2 - ((box.width / 2 - view.x) * k) / view.k, y: box.height / 2 - ((box.height / 2 - view.y) * k) / view.k }
      moved = true
      apply()
    },
  }
}
