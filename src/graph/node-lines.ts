import type { StepType } from '../types.ts'
import type { GraphNode } from './flow-graph.ts'

const DETAILS: Record<StepType, (node: GraphNode) => string[]> = {
  api: (node) => [[node.method, node.path].filter((part) => part !== undefined).join(' '), node.name],
  event: (node) => [node.name],
  cron: (node) => [node.name, node.cron ?? ''],
  noop: (node) => [node.name],
}

/** The lines a drawing shows inside a node: the name, plus the route of an api step or the schedule of a cron step. */
export function toNodeLines(node: GraphNode): string[] {
  return DETAILS[node.type](node).filter((line) => line !== '')
}
