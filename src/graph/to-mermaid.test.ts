import { describe, expect, it } from 'vitest'
import { buildFlowGraph } from './build-flow-graph.ts'
import type { FlowGraph } from './flow-graph.ts'
import { makeStep } from './make-step.fixture.ts'
import { toMermaid } from './to-mermaid.ts'

const NODE_LINE = /^ {2}(n_\w+)(\("[^"]*"\)|\["[^"]*"\]|\{\{"[^"]*"\}\}|\(\("[^"]*"\)\))$/
const EDGE_LINE = /^ {2}(n_\w+) (-->|-\.->)\|([^|"[\](){}]*)\| (n_\w+)$/
const CLASS_LINE = /^ {2}(classDef \w+ \S.*|class n_\w+(,n_\w+)* \w+)$/

/** Parses the lines of a rendered chart, failing the test on any line that fits no known statement. */
function parseMermaid(text: string): { nodes: Map<string, string>; edges: { from: string; arrow: string; text: string; to: string }[] } {
  const [header, ...lines] = text.trimEnd().split('\n')
  expect(header).toBe('flowchart LR')
  const nodes = new Map<string, string>()
  const edges: { from: string; arrow: string; text: string; to: string }[] = []
  for (const line of lines) {
    const node = NODE_LINE.exec(line)
    const edge = EDGE_LINE.exec(line)
    if (node?.[1] !== undefined && node[2] !== undefined) nodes.set(node[1], node[2])
    else if (edge?.[1] !== undefined && edge[2] !== undefined && edge[3] !== undefined && edge[4] !== undefined)
      edges.push({ from: edge[1], arrow: edge[2], text: edge[3], to: edge[4] })
    else expect(line).toMatch(CLASS_LINE)
  }
  for (const edge of edges) {
    expect(nodes.has(edge.from), `edge source ${edge.from} is declared`).toBe(true)
    expect(nodes.has(edge.to), `edge target ${edge.to} is declared`).toBe(true)
  }
  return { nodes, edges }
}

describe('toMermaid', () => {
  it('draws a three-step chain as arrows labeled with their topics', () => {
    const text = toMermaid(
      buildFlowGraph([
        makeStep({ name: 'CreateUser', type: 'api', method: 'POST', path: '/users', emits: ['a.b'] }),
        makeStep({ name: 'Enrich', subscribes: ['a.b'], emits: ['c.d'] }),
        makeStep({ name: 'Store', subscribes: ['c.d'] }),
      ]),
    )

    expect(text).toContain('n_CreateUser -->|a.b| n_Enrich')
    expect(text).toContain('n_Enrich -->|c.d| n_Store')
    expect(parseMermaid(text).edges).toHaveLength(2)
    expect(text.endsWith('\n')).toBe(true)
  })

  it('shapes nodes by step type and shows the route of api steps and the schedule of cron steps', () => {
    const { nodes } = parseMermaid(
      toMermaid(
        buildFlowGraph([
          makeStep({ name: 'Api', type: 'api', method: 'GET', path: '/health', emits: ['t'] }),
          makeStep({ name: 'Event', subscribes: ['t'] }),
          makeStep({ name: 'Tick', type: 'cron', cron: '*/5 * * * *', emits: ['t'] }),
          makeStep({ name: 'Gate', type: 'noop', virtualSubscribes: ['t'] }),
        ]),
      ),
    )

    expect(nodes.get('n_Api')).toBe('("GET /health<br/>Api")')
    expect(nodes.get('n_Event')).toBe('["Event"]')
    expect(nodes.get('n_Tick')).toBe('{{"Tick<br/>*/5 * * * *"}}')
    expect(nodes.get('n_Gate')).toBe('(("Gate"))')
  })

  it('styles nodes with one class per step type', () => {
    const text = toMermaid(
      buildFlowGraph([
        makeStep({ name: 'A', type: 'api', emits: ['t'] }),
        makeStep({ name: 'B', subscribes: ['t'] }),
        makeStep({ name: 'C', subscribes: ['t'] }),
      ]),
    )

    expect(text).toContain('  class n_A api\n')
    expect(text).toContain('  class n_B,n_C event\n')
    expect(text).not.toContain('classDef cron')
  })

  it('dashes virtual and conditional arrows and adds the emit label to the topic', () => {
    const { edges } = parseMermaid(
      toMermaid(
        buildFlowGraph([
          makeStep({ name: 'Review', type: 'api', emits: [{ topic: 'ok', label: 'approved', conditional: true }, 'plain'] }),
          makeStep({ name: 'Done', subscribes: ['ok', 'plain'], virtualSubscribes: ['later'] }),
          makeStep({ name: 'Gate', type: 'noop', virtualEmits: ['later'] }),
        ]),
      ),
    )

    expect(edges).toEqual([
      { from: 'n_Gate', arrow: '-.->', text: 'later', to: 'n_Done' },
      { from: 'n_Review', arrow: '-.->', text: 'ok #40;approved#41;', to: 'n_Done' },
      { from: 'n_Review', arrow: '-->', text: 'plain', to: 'n_Done' },
    ])
  })

  it('keeps odd names and topics from breaking the chart', () => {
    const text = toMermaid(
      buildFlowGraph([
        makeStep({ name: 'Send "Email" [v2] | (x)', type: 'api', path: '/mail/{id}', emits: ['a|b [c] "d"; e#f'] }),
        makeStep({ name: 'end', subscribes: ['a|b [c] "d"; e#f'] }),
        makeStep({ name: 'Ünï <b>code</b>', subscribes: ['a|b [c] "d"; e#f'] }),
      ]),
    )
    const { nodes, edges } = parseMermaid(text)

    expect(nodes.size).toBe(3)
    expect(edges).toHaveLength(2)
    expect(edges[0]?.text).toBe('a#124;b #91;c#93; #34;d#34;#59; e#35;f')
    expect(text).toContain('Send #34;Email#34; #91;v2#93; #124; #40;x#41;')
    expect(text).toContain('POST /mail/#123;id#125;')
    expect(text).toContain('#60;b#62;code#60;/b#62;')
    expect(nodes.has('n_end')).toBe(true)
  })

  it('gives distinct ids to names that sanitize alike', () => {
    const { nodes, edges } = parseMermaid(
      toMermaid(
        buildFlowGraph([
          makeStep({ name: 'a-b', type: 'api', emits: ['t'] }),
          makeStep({ name: 'a_b', subscribes: ['t'] }),
          makeStep({ name: 'a.b', subscribes: ['t'] }),
          makeStep({ name: 'a_b_2', subscribes: ['t'] }),
        ]),
      ),
    )

    expect([...nodes.keys()]).toEqual(['n_a_b', 'n_a_b_2', 'n_a_b_3', 'n_a_b_2_2'])
    expect(new Set(edges.map((edge) => edge.to)).size).toBe(3)
    expect(edges.every((edge) => edge.from === 'n_a_b')).toBe(true)
  })

  it('leaves out an edge whose end is not a listed node', () => {
    const graph: FlowGraph = {
      flows: [],
      nodes: [{ id: 'A', name: 'A', type: 'event', file: 'a.step.ts', flows: [], subscribes: [], emits: ['t'] }],
      edges: [{ from: 'A', to: 'Missing', topic: 't' }],
      warnings: [],
    }

    expect(parseMermaid(toMermaid(graph)).edges).toEqual([])
  })

  it('renders an empty graph as a bare flowchart', () => {
    expect(toMermaid(buildFlowGraph([]))).toBe('flowchart LR\n')
  })
})
