import type { ApiRouteMethod, StepType } from '../types.ts'

/** The topic graph of a project: what `motia-like graph`, `/__motia/graph` and the Workbench show. */
export interface FlowGraph {
  /** Every flow named by any step, sorted, even when the graph is filtered to one flow. */
  flows: string[]
  /** Sorted by name. */
  nodes: GraphNode[]
  /** Sorted by `from`, then `to`, then `topic`. */
  edges: GraphEdge[]
  warnings: GraphWarning[]
}

/** One step in the graph. */
export interface GraphNode {
  /** The step name, unique in a project. */
  id: string
  name: string
  type: StepType
  /** The step file relative to the project root. */
  file: string
  flows: string[]
  /** Topics the step subscribes to, virtual ones included, in declared order. */
  subscribes: string[]
  /** Topics the step emits, virtual ones included, in declared order. */
  emits: string[]
  method?: ApiRouteMethod
  path?: string
  cron?: string
  /** JSON Schema of an event step's `input`. */
  inputSchema?: Record<string, unknown>
  /** JSON Schema of an api step's `bodySchema`. */
  bodySchema?: Record<string, unknown>
}

/** A topic going from a step that emits it to a step that subscribes to it. */
export interface GraphEdge {
  from: string
  to: string
  topic: string
  label?: string
  /** Set when the emit is declared conditional: the handler may not emit it on every run. */
  conditional?: boolean
  /** Set when either end is a `virtualEmits` / `virtualSubscribes` declaration. */
  virtual?: boolean
}

/** Stable codes of graph warnings, for tools that filter or count them. */
export type GraphWarningCode =
  | 'topic-not-subscribed'
  | 'topic-not-emitted'
  | 'step-without-flow'
  | 'step-without-subscriptions'
  | 'flow-not-found'

/** Something in the project's wiring that is likely a mistake. */
export interface GraphWarning {
  code: GraphWarningCode
  message: string
  step?: string
  topic?: string
}
