import type { GraphEdge } from './flow-graph.ts'

/** The text an arrow carries in a drawing: the topic, and the emit's label when it has one. */
export function toEdgeText(edge: GraphEdge): string {
  return edge.label === undefined ? edge.topic : `${edge.topic} (${edge.label})`
}

/** True when a drawing should show the arrow dashed: it is virtual or conditional. */
export function isDashedEdge(edge: GraphEdge): boolean {
  return edge.virtual === true || edge.conditional === true
}
