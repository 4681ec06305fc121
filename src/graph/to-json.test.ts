import { describe, expect, it } from 'vitest'
import { buildFlowGraph } from './build-flow-graph.ts'
import { makeStep } from './make-step.fixture.ts'
import { toJson } from './to-json.ts'

describe('toJson', () => {
  it('renders the graph as indented JSON that parses back to the same graph', () => {
    const graph = buildFlowGraph([
      makeStep({ name: 'A', type: 'api', emits: [{ topic: 't', label: 'go' }] }),
      makeStep({ name: 'B', subscribes: ['t'] }),
    ])
    const text = toJson(graph)

    expect(JSON.parse(text)).toEqual(graph)
    expect(text).toContain('\n  "nodes": [\n')
    expect(text.endsWith('}\n')).toBe(true)
  })
})
