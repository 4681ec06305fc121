import { describe, expect, it } from 'vitest'
import { buildFlowGraph } from './build-flow-graph.ts'
import { makeStep } from './make-step.fixture.ts'
import { toDot } from './to-dot.ts'

interface DotStatement {
  ids: string[]
  attributes: Map<string, string>
}

/**
 * A small reader for the DOT subset the renderer writes: quoted ids, `->`, `[k=v, ...]`, `;`.
 * It fails the test on unbalanced quotes or brackets and returns node and edge statements.
 */
function parseDot(text: string): { nodes: Map<string, DotStatement>; edges: DotStatement[] } {
  const lines = text.trimEnd().split('\n')
  expect(lines[0]).toBe('digraph flows {')
  expect(lines.at(-1)).toBe('}')
  const nodes = new Map<string, DotStatement>()
  const edges: DotStatement[] = []
  for (const line of lines.slice(1, -1)) {
    const tokens = tokenize(line.trim())
    expect(tokens.at(-1), `statement ends with ; in ${line}`).toBe(';')
    if (!tokens[0]?.startsWith('"')) continue
    const ids: string[] = []
    let index = 0
    while (tokens[index]?.startsWith('"')) {
      ids.push(unquote(tokens[index] ?? ''))
      index += tokens[index + 1] === '->' ? 2 : 1
    }
    const attributes = new Map<string, string>()
    if (tokens[index] === '[') {
      for (index++; tokens[index] !== ']'; index += tokens[index + 3] === ',' ? 4 : 3) {
        expect(tokens[index + 1]).toBe('=')
        attributes.set(tokens[index] ?? '', unquote(tokens[index + 2] ?? ''))
      }
    }
    if (ids.length === 1 && ids[0] !== undefined) nodes.set(ids[0], { ids, attributes })
    else edges.push({ ids, attributes })
  }
  for (const edge of edges) {
    expect(edge.ids).toHaveLength(2)
    for (const id of edge.ids) expect(nodes.has(id), `edge end "${id}" is declared`).toBe(true)
  }
  return { nodes, edges }
}

function tokenize(line: string): string[] {
  const tokens: string[] = []
  let depth = 0
  for (let i = 0; i < line.length; ) {
    const char = line[i] ?? ''
    if (char === ' ') i++
    else if (char === '"') {
      let end = i + 1
      while (end < line.length && line[end] !== '"') end += line[end] === '\\' ? 2 : 1
      expect(end < line.length, `closed quote in ${line}`).toBe(true)
      tokens.push(line.slice(i, end + 1))
      i = end + 1
    } else if (line.startsWith('->', i)) {
      tokens.push('->')
      i += 2
    } else if ('[],;='.includes(char)) {
      depth += char === '[' ? 1 : char === ']' ? -1 : 0
      expect(depth === 0 || depth === 1, `balanced brackets in ${line}`).toBe(true)
      tokens.push(char)
      i++
    } else {
      const word = /^[\w.#-]+/.exec(line.slice(i))?.[0] ?? ''
      expect(word, `unexpected character in ${line}`).not.toBe('')
      tokens.push(word)
      i += word.length
    }
  }
  expect(depth).toBe(0)
  return tokens
}

function unquote(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char)) : token
}

describe('toDot', () => {
  it('draws a three-step chain as labeled edges between declared nodes', () => {
    const text = toDot(
      buildFlowGraph([
        makeStep({ name: 'CreateUser', type: 'api', method: 'POST', path: '/users', emits: ['a.b'] }),
        makeStep({ name: 'Enrich', subscribes: ['a.b'], emits: ['c.d'] }),
        makeStep({ name: 'Store', subscribes: ['c.d'] }),
      ]),
    )

    expect(text).toContain('"CreateUser" -> "Enrich" [label="a.b"];')
    expect(text).toContain('"Enrich" -> "Store" [label="c.d"];')
    expect(text).toContain('rankdir=LR;')
    expect(parseDot(text).edges.map((edge) => edge.ids)).toEqual([
      ['CreateUser', 'Enrich'],
      ['Enrich', 'Store'],
    ])
  })

  it('shapes nodes by step type and shows route and schedule on a second line', () => {
    const { nodes } = parseDot(
      toDot(
        buildFlowGraph([
          makeStep({ name: 'Api', type: 'api', method: 'GET', path: '/health', emits: ['t'] }),
          makeStep({ name: 'Event', subscribes: ['t'] }),
          makeStep({ name: 'Tick', type: 'cron', cron: '0 0 * * *', emits: ['t'] }),
          makeStep({ name: 'Gate', type: 'noop', virtualSubscribes: ['t'] }),
        ]),
      ),
    )

    expect(nodes.get('Api')?.attributes.get('shape')).toBe('box')
    expect(nodes.get('Api')?.attributes.get('style')).toBe('rounded,filled')
    expect(nodes.get('Api')?.attributes.get('label')).toBe('GET /health\nApi')
    expect(nodes.get('Event')?.attributes.get('shape')).toBe('box')
    expect(nodes.get('Tick')?.attributes.get('shape')).toBe('hexagon')
    expect(nodes.get('Tick')?.attributes.get('label')).toBe('Tick\n0 0 * * *')
    expect(nodes.get('Gate')?.attributes.get('shape')).toBe('ellipse')
  })

  it('dashes virtual and conditional edges and adds the emit label to the topic', () => {
    const { edges } = parseDot(
      toDot(
        buildFlowGraph([
          makeStep({ name: 'Review', type: 'api', emits: [{ topic: 'ok', label: 'approved', conditional: true }, 'plain'] }),
          makeStep({ name: 'Done', subscribes: ['ok', 'plain'], virtualSubscribes: ['later'] }),
          makeStep({ name: 'Gate', type: 'noop', virtualEmits: ['later'] }),
        ]),
      ),
    )

    expect(edges.map((edge) => [edge.ids.join('>'), edge.attributes.get('label'), edge.attributes.get('style')])).toEqual([
      ['Gate>Done', 'later', 'dashed'],
      ['Review>Done', 'ok (approved)', 'dashed'],
      ['Review>Done', 'plain', undefined],
    ])
  })

  it('escapes quotes, backslashes and newlines in names and topics', () => {
    const odd = 'Say "hi" \\ [x] {y} -> z;'
    const topic = 'a"b\\c\nd'
    const text = toDot(
      buildFlowGraph([
        makeStep({ name: odd, type: 'api', emits: [topic] }),
        makeStep({ name: 'end\\', subscribes: [topic] }),
      ]),
    )
    const { nodes, edges } = parseDot(text)

    expect(text).toContain('"Say \\"hi\\" \\\\ [x] {y} -> z;" -> "end\\\\" [label="a\\"b\\\\c\\nd"];')
    expect([...nodes.keys()]).toEqual([odd, 'end\\'])
    expect(edges[0]?.ids).toEqual([odd, 'end\\'])
  })

  it('leaves out an edge whose end is not a listed node', () => {
    const text = toDot({
      flows: [],
      nodes: [{ id: 'A', name: 'A', type: 'event', file: 'a.step.ts', flows: [], subscribes: [], emits: ['t'] }],
      edges: [{ from: 'A', to: 'Missing', topic: 't' }],
      warnings: [],
    })

    expect(text).not.toContain('Missing')
    expect(parseDot(text).edges).toEqual([])
  })
})
