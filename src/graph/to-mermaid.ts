import type { StepType } from '../types.ts'
import { isDashedEdge, toEdgeText } from './edge-text.ts'
import type { FlowGraph, GraphNode } from './flow-graph.ts'
import { toNodeLines } from './node-lines.ts'

const SHAPES: Record<StepType, (label: string) => string> = {
  api: (label) => `("${label}")`,
  event: (label) => `["${label}"]`,
  cron: (label) => `{{"${label}"}}`,
  noop: (label) => `(("${label}"))`,
}

const CLASS_STYLES: Record<StepType, string> = {
  api: 'fill:#e8f1fb,stroke:#3b78c2',
  event: 'fill:#eef7e8,stroke:#5a9a3c',
  cron: 'fill:#fdf5e2,stroke:#c28a1b',
  noop: 'fill:#f3f3f3,stroke:#8a8a8a,stroke-dasharray:4 3',
}

/**
 * Renders a flow graph as a Mermaid `flowchart LR`: one shape per step, one arrow per topic edge,
 * dashed when virtual or conditional. Flows are not drawn as subgraphs, since a step may be in several;
 * filter the graph to a flow instead.
 * @example
 * writeFileSync('flow.mmd', toMermaid(buildFlowGraph(steps, { flow: 'onboarding' })))
 */
export function toMermaid(graph: FlowGraph): string {
  const ids = toMermaidIds(graph.nodes)
  const lines = ['flowchart LR']
  for (const node of graph.nodes) {
    const label = toNodeLines(node).map(escapeMermaid).join('<br/>')
    lines.push(`  ${ids.get(node.id)}${SHAPES[node.type](label)}`)
  }
  for (const edge of graph.edges) {
    const from = ids.get(edge.from)
    const to = ids.get(edge.to)
    // A hand-built graph may name a node it does not list; Mermaid would draw a phantom box for it.
    if (from === undefined || to === undefined) continue
    lines.push(`  ${from} ${isDashedEdge(edge) ? '-.->' : '-->'}|${escapeMermaid(toEdgeText(edge))}| ${to}`)
  }
  for (const type of Object.keys(SHAPES) as StepType[]) {
    const members = graph.nodes.filter((node) => node.type === type).map((node) => ids.get(node.id))
    if (members.length === 0) continue
    lines.push(`  classDef ${type} ${CLASS_STYLES[type]}`, `  class ${members.join(',')} ${type}`)
  }
  return `${lines.join('\n')}\n`
}

/** Mermaid-safe node ids: `n_` and the name with other characters as `_`, suffixed on collision. */
function toMermaidIds(nodes: readonly GraphNode[]): Map<string, string> {
  const ids = new Map<string, string>()
  const used = new Set<string>()
  for (const node of nodes) {
    const base = `n_${node.id.replace(/[^A-Za-z0-9_]/g, '_')}`
    let id = base
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`
    used.add(id)
    ids.set(node.id, id)
  }
  return ids
}

/** Replaces characters that would end a label or start a shape with Mermaid's `#code;` entities. */
function escapeMermaid(text: string): string {
  return text.replace(/\r\n|[\r\n]/g, ' ').replace(/["#&<>[\]{}()|;`]/g, (char) => `#${char.charCodeAt(0)};`)
}
