import type { Step } from '../steps/step.ts'
import { compareStrings } from './compare-strings.ts'
import type { FlowGraph, GraphEdge, GraphNode, GraphWarning } from './flow-graph.ts'
import { toGraphWarnings } from './graph-warnings.ts'
import { toEmitLinks, toSubscribeLinks, type TopicLink } from './topic-links.ts'

/** Options of `buildFlowGraph`. */
export interface BuildFlowGraphOptions {
  /** Keep only the steps of this flow, the edges between them and the warnings about them. */
  flow?: string
}

interface Subscriber {
  step: Step
  link: TopicLink
}

/**
 * Builds the topic graph of a project's steps; pure, and sorted so equal projects give equal graphs.
 * @example
 * const graph = buildFlowGraph(steps, { flow: 'onboarding' })
 * for (const warning of graph.warnings) logger.warn(warning.message)
 */
export function buildFlowGraph(steps: readonly Step[], options: BuildFlowGraphOptions = {}): FlowGraph {
  const sorted = sortSteps(steps)
  const subscribers = toSubscribers(sorted)
  const edges: GraphEdge[] = []
  const emitted = new Set<string>()
  for (const step of sorted) {
    for (const link of toEmitLinks(step)) {
      emitted.add(link.topic)
      for (const target of subscribers.get(link.topic) ?? []) edges.push(toEdge(step, link, target))
    }
  }
  edges.sort((a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to) || compareStrings(a.topic, b.topic))
  const graph: FlowGraph = {
    flows: [...new Set(sorted.flatMap((step) => step.flows))].sort(compareStrings),
    nodes: sorted.map(toNode),
    edges,
    warnings: toGraphWarnings(sorted, { emitted, subscribed: new Set(subscribers.keys()) }),
  }
  return options.flow === undefined ? graph : toFlowSubgraph(graph, options.flow)
}

/** The warnings of `buildFlowGraph(steps)` alone, without the nodes (whose JSON Schemas are converted when read). */
export function buildFlowWarnings(steps: readonly Step[]): GraphWarning[] {
  const sorted = sortSteps(steps)
  const emitted = new Set(sorted.flatMap((step) => toEmitLinks(step).map((link) => link.topic)))
  return toGraphWarnings(sorted, { emitted, subscribed: new Set(toSubscribers(sorted).keys()) })
}

function sortSteps(steps: readonly Step[]): Step[] {
  return [...steps].sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.file, b.file))
}

/** The subscribers of each topic, in step order. */
function toSubscribers(sorted: readonly Step[]): Map<string, Subscriber[]> {
  const subscribers = new Map<string, Subscriber[]>()
  for (const step of sorted) {
    for (const link of toSubscribeLinks(step)) {
      const list = subscribers.get(link.topic) ?? []
      list.push({ step, link })
      subscribers.set(link.topic, list)
    }
  }
  return subscribers
}

function toEdge(source: Step, emit: TopicLink, target: Subscriber): GraphEdge {
  return {
    from: source.name,
    to: target.step.name,
    topic: emit.topic,
    ...(emit.label !== undefined && { label: emit.label }),
    ...(emit.conditional === true && { conditional: true }),
    ...((emit.virtual || target.link.virtual) && { virtual: true }),
  }
}

function toNode(step: Step): GraphNode {
  const { config, jsonSchemas } = step
  return {
    id: step.name,
    name: step.name,
    type: step.type,
    file: step.relativeFile,
    flows: [...new Set(step.flows)],
    subscribes: toSubscribeLinks(step).map((link) => link.topic),
    emits: toEmitLinks(step).map((link) => link.topic),
    ...(config.type === 'api' && { method: config.method, path: config.path }),
    ...(config.type === 'cron' && { cron: config.cron }),
    ...(jsonSchemas.input !== undefined && { inputSchema: jsonSchemas.input }),
    ...(jsonSchemas.body !== undefined && { bodySchema: jsonSchemas.body }),
  }
}

function toFlowSubgraph(graph: FlowGraph, flow: string): FlowGraph {
  const nodes = graph.nodes.filter((node) => node.flows.includes(flow))
  const kept = new Set(nodes.map((node) => node.id))
  const warnings = graph.warnings.filter((warning) => warning.step !== undefined && kept.has(warning.step))
  if (!graph.flows.includes(flow)) {
    const known = graph.flows.length === 0 ? 'no step names a flow yet' : `known flows: ${graph.flows.map((name) => `"${name}"`).join(', ')}`
    warnings.push({
      code: 'flow-not-found',
      message: `No step is in flow "${flow}" (${known}); pick a known flow or add "${flow}" to a step's config.flows.`,
    })
  }
  return {
    flows: graph.flows,
    nodes,
    edges: graph.edges.filter((edge) => kept.has(edge.from) && kept.has(edge.to)),
    warnings,
  }
}
