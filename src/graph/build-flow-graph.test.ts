import { describe, expect, it } from 'vitest'
import { buildFlowGraph } from './build-flow-graph.ts'
import { makeStep } from './make-step.fixture.ts'
import { toJson } from './to-json.ts'

const chain = [
  makeStep({ name: 'CreateUser', type: 'api', method: 'POST', path: '/users', emits: ['a.b'] }),
  makeStep({ name: 'Enrich', subscribes: ['a.b'], emits: ['c.d'] }),
  makeStep({ name: 'Store', subscribes: ['c.d'] }),
]

describe('buildFlowGraph', () => {
  it('joins a three-step chain with one edge per topic and no warnings', () => {
    const graph = buildFlowGraph(chain)

    expect(graph.edges).toEqual([
      { from: 'CreateUser', to: 'Enrich', topic: 'a.b' },
      { from: 'Enrich', to: 'Store', topic: 'c.d' },
    ])
    expect(graph.warnings).toEqual([])
    expect(graph.flows).toEqual(['main'])
  })

  it('describes each node with its file, topics and route', () => {
    const graph = buildFlowGraph(chain)

    expect(graph.nodes.map((node) => node.id)).toEqual(['CreateUser', 'Enrich', 'Store'])
    expect(graph.nodes[0]).toEqual({
      id: 'CreateUser',
      name: 'CreateUser',
      type: 'api',
      file: 'steps/createuser.step.ts',
      flows: ['main'],
      subscribes: [],
      emits: ['a.b'],
      method: 'POST',
      path: '/users',
    })
    expect(graph.nodes[1]).toMatchObject({ subscribes: ['a.b'], emits: ['c.d'] })
    expect(graph.nodes[1]).not.toHaveProperty('method')
  })

  it('carries the cron schedule and the JSON Schemas of input and body', () => {
    const input = { type: 'object', properties: { id: { type: 'string' } } }
    const body = { type: 'object', required: ['email'] }
    const graph = buildFlowGraph([
      makeStep({ name: 'Nightly', type: 'cron', cron: '0 3 * * *', emits: ['t'] }),
      makeStep({ name: 'Handle', subscribes: ['t'], jsonSchemas: { input } }),
      makeStep({ name: 'Signup', type: 'api', emits: ['t'], jsonSchemas: { body } }),
    ])

    const byName = new Map(graph.nodes.map((node) => [node.name, node]))
    expect(byName.get('Nightly')?.cron).toBe('0 3 * * *')
    expect(byName.get('Handle')?.inputSchema).toEqual(input)
    expect(byName.get('Signup')?.bodySchema).toEqual(body)
  })

  it('fans a topic out to every subscriber', () => {
    const graph = buildFlowGraph([
      makeStep({ name: 'Source', type: 'api', emits: ['order.placed'] }),
      makeStep({ name: 'Ship', subscribes: ['order.placed'] }),
      makeStep({ name: 'Bill', subscribes: ['order.placed'] }),
    ])

    expect(graph.edges).toEqual([
      { from: 'Source', to: 'Bill', topic: 'order.placed' },
      { from: 'Source', to: 'Ship', topic: 'order.placed' },
    ])
  })

  it('marks an edge virtual when either end is virtual, and noop steps join through virtual topics', () => {
    const graph = buildFlowGraph([
      makeStep({ name: 'Approve', type: 'noop', virtualSubscribes: ['review.requested'], virtualEmits: ['review.done'] }),
      makeStep({ name: 'Request', type: 'api', emits: ['review.requested'] }),
      makeStep({ name: 'Finish', virtualSubscribes: ['review.done'], subscribes: ['real'] }),
      makeStep({ name: 'Real', type: 'api', emits: ['real'] }),
    ])

    expect(graph.nodes.find((node) => node.name === 'Approve')).toMatchObject({
      type: 'noop',
      emits: ['review.done'],
      subscribes: ['review.requested'],
    })
    expect(graph.edges).toEqual([
      { from: 'Approve', to: 'Finish', topic: 'review.done', virtual: true },
      { from: 'Real', to: 'Finish', topic: 'real' },
      { from: 'Request', to: 'Approve', topic: 'review.requested', virtual: true },
    ])
  })

  it('keeps one real edge when a topic is both emitted and virtually emitted', () => {
    const graph = buildFlowGraph([
      makeStep({ name: 'A', type: 'api', emits: ['t'], virtualEmits: [{ topic: 't', label: 'later' }] }),
      makeStep({ name: 'B', subscribes: ['t'], virtualSubscribes: ['t'] }),
    ])

    expect(graph.edges).toEqual([{ from: 'A', to: 'B', topic: 't', label: 'later' }])
    expect(graph.nodes[0]?.emits).toEqual(['t'])
  })

  it('takes the label and conditional flag of an edge from the emit', () => {
    const graph = buildFlowGraph([
      makeStep({
        name: 'Review',
        type: 'api',
        emits: [{ topic: 'approved', label: 'when approved', conditional: true }, { topic: 'rejected', label: 'otherwise' }],
      }),
      makeStep({ name: 'OnApproved', subscribes: ['approved'] }),
      makeStep({ name: 'OnRejected', subscribes: ['rejected'] }),
    ])

    expect(graph.edges).toEqual([
      { from: 'Review', to: 'OnApproved', topic: 'approved', label: 'when approved', conditional: true },
      { from: 'Review', to: 'OnRejected', topic: 'rejected', label: 'otherwise' },
    ])
  })

  it('draws an edge from a step to itself when it subscribes to its own topic', () => {
    const graph = buildFlowGraph([makeStep({ name: 'Poll', subscribes: ['poll.again'], emits: ['poll.again'] })])

    expect(graph.edges).toEqual([{ from: 'Poll', to: 'Poll', topic: 'poll.again' }])
    expect(graph.warnings).toEqual([])
  })

  describe('warnings', () => {
    it('warns about a topic emitted that no step subscribes to', () => {
      const graph = buildFlowGraph([makeStep({ name: 'Notify', type: 'cron', emits: ['user.created'] })])

      expect(graph.warnings).toEqual([
        {
          code: 'topic-not-subscribed',
          step: 'Notify',
          topic: 'user.created',
          message:
            'Step "Notify" (steps/notify.step.ts) emits "user.created", which no step subscribes to. Add a step that subscribes to it or remove it from emits.',
        },
      ])
    })

    it('names virtualEmits in the fix when the unheard topic is virtual', () => {
      const graph = buildFlowGraph([makeStep({ name: 'Gate', type: 'noop', virtualEmits: ['nowhere'] })])

      expect(graph.warnings[0]?.message).toContain('remove it from virtualEmits')
    })

    it('warns about a topic subscribed to that no step emits, mentioning POST /emit', () => {
      const graph = buildFlowGraph([makeStep({ name: 'Listen', subscribes: ['from.outside'] })])

      expect(graph.warnings).toHaveLength(1)
      expect(graph.warnings[0]).toMatchObject({ code: 'topic-not-emitted', step: 'Listen', topic: 'from.outside' })
      expect(graph.warnings[0]?.message).toContain('Step "Listen" (steps/listen.step.ts) subscribes to "from.outside"')
      expect(graph.warnings[0]?.message).toContain('POST /emit')
      expect(graph.warnings[0]?.message).toContain('remove it from subscribes')
    })

    it('warns about an event step that subscribes to nothing, as it never runs', () => {
      const graph = buildFlowGraph([...chain, makeStep({ name: 'Idle', subscribes: [] })])

      expect(graph.warnings).toEqual([
        {
          code: 'step-without-subscriptions',
          step: 'Idle',
          message:
            'Step "Idle" (steps/idle.step.ts) subscribes to no topic, so it never runs. Add a topic to its config.subscribes or remove the step.',
        },
      ])
    })

    it('warns about a step in no flow', () => {
      const graph = buildFlowGraph([...chain, makeStep({ name: 'Loner', type: 'api', flows: [] })])

      expect(graph.warnings).toEqual([
        {
          code: 'step-without-flow',
          step: 'Loner',
          message: 'Step "Loner" (steps/loner.step.ts) is in no flow, so flow views leave it out. Add a flow name to its config.flows.',
        },
      ])
    })

    it('sorts warnings by step, then code, then topic', () => {
      const graph = buildFlowGraph([
        makeStep({ name: 'B', flows: [], subscribes: ['y', 'x'], emits: ['z'] }),
        makeStep({ name: 'A', subscribes: ['w'] }),
      ])

      expect(graph.warnings.map((w) => [w.step, w.code, w.topic])).toEqual([
        ['A', 'topic-not-emitted', 'w'],
        ['B', 'step-without-flow', undefined],
        ['B', 'topic-not-emitted', 'x'],
        ['B', 'topic-not-emitted', 'y'],
        ['B', 'topic-not-subscribed', 'z'],
      ])
    })
  })

  describe('with a flow', () => {
    const steps = [
      makeStep({ name: 'Signup', type: 'api', flows: ['onboarding'], emits: ['user.created', 'orphan'] }),
      makeStep({ name: 'Welcome', flows: ['onboarding', 'email'], subscribes: ['user.created'], emits: ['mail.send'] }),
      makeStep({ name: 'Mailer', flows: ['email'], subscribes: ['mail.send', 'never'] }),
      makeStep({ name: 'Stray', flows: [], subscribes: ['nothing'] }),
    ]

    it('keeps only the nodes of that flow and the edges between them, and lists every flow', () => {
      const graph = buildFlowGraph(steps, { flow: 'onboarding' })

      expect(graph.flows).toEqual(['email', 'onboarding'])
      expect(graph.nodes.map((node) => node.name)).toEqual(['Signup', 'Welcome'])
      expect(graph.edges).toEqual([{ from: 'Signup', to: 'Welcome', topic: 'user.created' }])
    })

    it('keeps only the warnings about nodes in that flow', () => {
      const graph = buildFlowGraph(steps, { flow: 'email' })

      expect(graph.nodes.map((node) => node.name)).toEqual(['Mailer', 'Welcome'])
      expect(graph.edges).toEqual([{ from: 'Welcome', to: 'Mailer', topic: 'mail.send' }])
      expect(graph.warnings.map((w) => [w.code, w.step, w.topic])).toEqual([['topic-not-emitted', 'Mailer', 'never']])
    })

    it('still judges topics against the whole project', () => {
      // Welcome subscribes to a topic only Signup (another flow) emits: not a warning.
      const graph = buildFlowGraph(steps, { flow: 'email' })

      expect(graph.warnings.some((w) => w.topic === 'user.created')).toBe(false)
    })

    it('returns an empty graph with a flow-not-found warning for an unknown flow', () => {
      const graph = buildFlowGraph(steps, { flow: 'billing' })

      expect(graph.nodes).toEqual([])
      expect(graph.edges).toEqual([])
      expect(graph.warnings).toEqual([
        {
          code: 'flow-not-found',
          message:
            'No step is in flow "billing" (known flows: "email", "onboarding"); pick a known flow or add "billing" to a step\'s config.flows.',
        },
      ])
    })
  })

  it('gives identical output whatever the order of the steps', () => {
    const steps = [
      makeStep({ name: 'Signup', type: 'api', flows: ['z', 'a'], emits: ['t1', 't2'] }),
      makeStep({ name: 'Audit', subscribes: ['t1', 't2', 't3'], flows: ['b'] }),
      makeStep({ name: 'Mid', subscribes: ['t1'], emits: ['t3', 'gone'] }),
      makeStep({ name: 'Tick', type: 'cron', emits: ['t3'], flows: [] }),
      makeStep({ name: 'Gate', type: 'noop', virtualSubscribes: ['t2'], virtualEmits: ['t1'] }),
    ]
    const expected = toJson(buildFlowGraph(steps))

    for (const order of [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [1, 4, 0, 3, 2]]) {
      const shuffled = order.map((index) => steps[index]).filter((step) => step !== undefined)
      expect(toJson(buildFlowGraph(shuffled))).toBe(expected)
    }
    const graph = buildFlowGraph(steps)
    expect(graph.flows).toEqual(['a', 'b', 'main', 'z'])
    expect(graph.nodes.map((node) => node.name)).toEqual(['Audit', 'Gate', 'Mid', 'Signup', 'Tick'])
    expect(graph.edges.map((edge) => `${edge.from}>${edge.to}:${edge.topic}`)).toEqual([
      'Gate>Audit:t1',
      'Gate>Mid:t1',
      'Mid>Audit:t3',
      'Signup>Audit:t1',
      'Signup>Audit:t2',
      'Signup>Gate:t2',
      'Signup>Mid:t1',
      'Tick>Audit:t3',
    ])
  })

  it('does not change the steps it is given', () => {
    const steps = [...chain].reverse()
    const before = JSON.stringify(steps)

    buildFlowGraph(steps, { flow: 'main' })

    expect(JSON.stringify(steps)).toBe(before)
    expect(steps.map((step) => step.name)).toEqual(['Store', 'Enrich', 'CreateUser'])
  })
})
