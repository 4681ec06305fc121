import type { StepType } from '../types.ts'
import { isDashedEdge, toEdgeText } from './edge-text.ts'
import type { FlowGraph } from './flow-graph.ts'
import { toNodeLines } from './node-lines.ts'

const NODE_ATTRIBUTES: Record<StepType, string> = {
  api: 'shape=box, style="rounded,filled", fillcolor="#e8f1fb"',
  event: 'shape=box, style=filled, fillcolor="#eef7e8"',
  cron: 'shape=hexagon, style=filled, fillcolor="#fdf5e2"',
  noop: 'shape=ellipse, style=dashed',
}

/**
 * Renders a flow graph as a Graphviz `digraph`, laid out left to right, edges dashed when virtual or
 * conditional. Flows are not drawn as clusters, since a step may be in several; filter the graph instead.
 * @example
 * writeFileSync('flow.dot', toDot(buildFlowGraph(steps))) // then: dot -Tsvg flow.dot > flow.svg
 */
export function toDot(graph: FlowGraph): string {
  const lines = [
    'digraph flows {',
    '  rankdir=LR;',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ]
  const declared = new Set<string>()
  for (const node of graph.nodes) {
    declared.add(node.id)
    const label = toNodeLines(node).map(escapeDot).join('\\n')
    lines.push(`  "${escapeDot(node.id)}" [label="${label}", ${NODE_ATTRIBUTES[node.type]}];`)
  }
  for (const edge of graph.edges) {
    // Graphviz would invent a node for an id the graph does not list.
    if (!declared.has(edge.from) || !declared.has(edge.to)) continue
    const style = isDashedEdge(edge) ? ', style=dashed' : ''
    lines.push(`  "${escapeDot(edge.from)}" -> "${escapeDot(edge.to)}" [label="${escapeDot(toEdgeText(edge))}"${style}];`)
  }
  lines.push('}')
  return `${lines.join('\n')}\n`
}

/** Escapes text for a DOT double-quoted string: backslashes and quotes, newlines as `\n`. */
function escapeDot(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r\n|[\r\n]/g, '\\n')
}
