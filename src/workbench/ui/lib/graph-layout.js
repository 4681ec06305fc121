import dagre from '../vendor/dagre.js'

const GAP = 48

/** Groups node ids into connected components (edges taken both ways), largest first. */
function components(graph) {
  const parent = new Map(graph.nodes.map((node) => [node.id, node.id]))
  const find = (id) => {
    while (parent.get(id) !== id) id = parent.get(id)
    return id
  }
  for (const edge of graph.edges) {
    if (parent.has(edge.from) && parent.has(edge.to)) parent.set(find(edge.from), find(edge.to))
  }
  const groups = new Map()
  for (const node of graph.nodes) {
    const root = find(node.id)
    if (!groups.has(root)) groups.set(root, [])
    groups.get(root).push(node)
  }
  return [...groups.values()].sort((a, b) => b.length - a.length)
}

/** Lays one connected component out with dagre. */
function layoutPart(nodes, edges, rankdir, measure) {
  const g = new dagre.graphlib.Graph({ multigraph: true })
  g.setGraph({ rankdir, nodesep: rankdir === 'LR' ? 36 : 48, ranksep: rankdir === 'LR' ? 90 : 56, edgesep: 24, marginx: 0, marginy: 0 })
  g.setDefaultEdgeLabel(() => ({}))
  for (const node of nodes) g.setNode(node.id, { ...measure.node(node), node })
  edges.forEach((edge, index) => g.setEdge(edge.from, edge.to, { ...measure.edge(edge), labelpos: 'c', edge }, `e${index}`))
  dagre.layout(g)
  return {
    width: g.graph().width ?? 0,
    height: g.graph().height ?? 0,
    nodes: g.nodes().map((id) => g.node(id)),
    edges: g.edges().map((key) => g.edge(key)),
  }
}

function shift(part, dx, dy) {
  return {
    nodes: part.nodes.map((item) => ({ ...item, x: item.x + dx, y: item.y + dy })),
    edges: part.edges.map((item) => ({ ...item, x: item.x + dx, y: item.y + dy, points: item.points.map((point) => ({ x: point.x + dx, y: point.y + dy })) })),
  }
}

/**
 * Lays a flow graph out: each connected group of steps by dagre in `rankdir` (LR or TB), then the
 * groups in rows, wrapped to suit a box of the given aspect (width / height), so steps that share no
 * topic do not stretch the drawing into one long column. `measure` gives node and edge-label sizes.
 */
export function layoutGraph(graph, rankdir, aspect, measure) {
  const parts = components(graph).map((nodes) => {
    const ids = new Set(nodes.map((node) => node.id))
    return layoutPart(nodes, graph.edges.filter((edge) => ids.has(edge.from)), rankdir, measure)
  })
  const area = parts.reduce((sum, part) => sum + (part.width + GAP) * (part.height + GAP), 0)
  const rowWidth = Math.max(...parts.map((part) => part.width), Math.sqrt(area * aspect))
  const placed = { nodes: [], edges: [] }
  let x = 0
  let y = 0
  let rowHeight = 0
  let width = 0
  for (const part of parts) {
    if (x > 0 && x + part.width > rowWidth) {
      x = 0
      y += rowHeight + GAP
      rowHeight = 0
    }
    const moved = shift(part, x, y)
    placed.nodes.push(...moved.nodes)
    placed.edges.push(...moved.edges)
    x += part.width + GAP
    rowHeight = Math.max(rowHeight, part.height)
    width = Math.max(width, x - GAP)
  }
  return { width, height: y + rowHeight, ...placed }
}
