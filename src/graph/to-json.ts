import type { FlowGraph } from './flow-graph.ts'

/**
 * Renders a flow graph as indented JSON, the same shape `GET /__motia/graph` returns.
 * @example
 * writeFileSync('flow.json', toJson(buildFlowGraph(steps)))
 */
export function toJson(graph: FlowGraph): string {
  return `${JSON.stringify(graph, null, 2)}\n`
}
