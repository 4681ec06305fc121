import { getJson, postJson } from '../lib/api.js'
import { empty, fill, h, plural, select, setOptions } from '../lib/dom.js'
import { createGraphView, nodeSubtitle } from '../lib/graph-view.js'
import { jsonView } from '../lib/json-view.js'
import { onLive } from '../lib/live.js'

const ALL = ''

function chips(items, cls = 'chip') {
  return items.length ? h('div', { class: 'chips' }, items.map((item) => h('span', { class: cls }, item))) : h('span', { class: 'muted' }, 'none')
}

function emitChips(emits) {
  return emits?.length
    ? h(
        'div',
        { class: 'chips' },
        emits.map((emit) => {
          const spec = typeof emit === 'string' ? { topic: emit } : emit
          return h('span', { class: ['chip', spec.conditional && 'chip-dashed'], title: spec.conditional ? 'conditional' : null }, spec.label ? `${spec.topic} · ${spec.label}` : spec.topic)
        }),
      )
    : h('span', { class: 'muted' }, 'none')
}

function field(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)]
}

function schemaBlock(title, schema) {
  return schema ? h('details', { class: 'schema', open: true }, h('summary', {}, title), jsonView(schema)) : null
}

/** `100 per 60 s, per tenantId`: a step's rate limit in words. */
/** `up to 100 inputs per call, run when full or 2 s after the first, per tenantId`. */
function batchText(batch) {
  const wait = batch.timeoutMs % 1000 === 0 ? `${batch.timeoutMs / 1000} s` : `${batch.timeoutMs} ms`
  const key = typeof batch.key === 'string' ? `, per ${batch.key}` : ''
  return `up to ${batch.maxSize} inputs per call, run when full or ${wait} after the first${key}`
}

function rateLimitText(rateLimit) {
  const period = rateLimit.periodMs % 1000 === 0 ? `${rateLimit.periodMs / 1000} s` : `${rateLimit.periodMs} ms`
  const key = typeof rateLimit.key === 'string' ? `, per ${rateLimit.key}` : ''
  return `${rateLimit.limit} per ${period}${key} (jobs over it wait)`
}

/** Pause or resume the queue of an event step; the label follows the state the server reports. */
function pauseButton(name) {
  const button = h('button', { class: 'button', type: 'button', 'data-action': 'pause' }, 'Pause queue')
  let paused = false
  const show = () => {
    button.textContent = paused ? 'Resume queue' : 'Pause queue'
    button.dataset['paused'] = String(paused)
  }
  getJson('/__motia/queues').then(
    (body) => {
      paused = body.paused.includes(name)
      show()
    },
    () => {},
  )
  button.addEventListener('click', async () => {
    button.disabled = true
    try {
      const body = await postJson(`/__motia/queues/${encodeURIComponent(name)}/${paused ? 'resume' : 'pause'}`)
      paused = body.paused
      show()
    } catch (error) {
      button.textContent = error.message
    } finally {
      button.disabled = false
    }
  })
  return button
}

/** The side panel of a clicked node: config, file, schemas, and where to go next. */
function nodeDetails(node, step, warnings, close) {
  const config = step?.config ?? {}
  const { infrastructure } = config
  const actions = []
  if (node.type === 'api') actions.push(h('a', { class: 'button primary', href: `#/endpoints/${encodeURIComponent(node.name)}` }, 'Try this endpoint'))
  if (node.type === 'cron') {
    const run = h('button', { class: 'button primary', type: 'button' }, 'Run now')
    run.addEventListener('click', async () => {
      run.disabled = true
      try {
        await postJson(`/__motia/cron/${encodeURIComponent(node.name)}/trigger`)
        run.textContent = 'Ran: see Traces'
      } catch (error) {
        run.textContent = error.message
      }
    })
    actions.push(run)
  }
  if (node.type === 'event') {
    actions.push(h('a', { class: 'button', href: `#/jobs?step=${encodeURIComponent(node.name)}` }, 'Jobs of this step'))
    actions.push(pauseButton(node.name))
  }
  if (node.type !== 'noop') actions.push(h('a', { class: 'button', href: `#/traces?step=${encodeURIComponent(node.name)}` }, 'Traces'))
  return h(
    'aside',
    { class: 'details', 'data-details': node.id },
    h(
      'div',
      { class: 'details-head' },
      h('span', { class: `type-pill type-${node.type}` }, node.type),
      h('h2', {}, node.name),
      h('button', { class: 'icon-button', type: 'button', title: 'Close', onClick: close }, '×'),
    ),
    config.description ? h('p', { class: 'description' }, config.description) : null,
    actions.length ? h('div', { class: 'actions' }, actions) : null,
    warnings.length ? h('div', { class: 'callout warn' }, warnings.map((warning) => h('div', {}, warning.message))) : null,
    h(
      'dl',
      { class: 'fields' },
      field('File', h('code', {}, node.file)),
      node.type === 'api' ? field('Route', h('code', {}, nodeSubtitle(node))) : null,
      node.type === 'cron' ? field('Schedule', h('code', {}, `${node.cron}${config.timezone ? ` (${config.timezone})` : ''}`)) : null,
      field('Flows', chips(node.flows)),
      node.type !== 'api' && node.type !== 'cron' ? field('Subscribes', chips(node.subscribes, 'chip mono')) : null,
      node.type !== 'noop' ? field('Emits', emitChips(config.emits)) : null,
      config.virtualEmits?.length ? field('Virtual emits', emitChips(config.virtualEmits)) : null,
      config.virtualSubscribes?.length ? field('Virtual subscribes', chips(config.virtualSubscribes, 'chip mono')) : null,
      config.queryParams?.length ? field('Query', chips(config.queryParams.map((param) => param.name), 'chip mono')) : null,
      infrastructure?.queue?.rateLimit ? field('Rate limit', h('span', { 'data-field': 'rate-limit' }, rateLimitText(infrastructure.queue.rateLimit))) : null,
      infrastructure?.queue?.throttle
        ? field('Throttle', h('span', { 'data-field': 'throttle' }, rateLimitText(infrastructure.queue.throttle).replace('(jobs over it wait)', '(more are skipped)')))
        : null,
      infrastructure?.queue?.debounce
        ? field('Debounce', h('span', { 'data-field': 'debounce' }, `${infrastructure.queue.debounce.periodMs} ms of quiet${infrastructure.queue.debounce.maxWaitMs ? `, ${infrastructure.queue.debounce.maxWaitMs} ms at most` : ''}${typeof infrastructure.queue.debounce.key === 'string' ? `, per ${infrastructure.queue.debounce.key}` : ''}`))
        : null,
      infrastructure?.queue?.batch ? field('Batch', h('span', { 'data-field': 'batch' }, batchText(infrastructure.queue.batch))) : null,
      infrastructure?.queue?.concurrencyKey !== undefined
        ? field('Per key', h('span', { 'data-field': 'concurrency-key' }, `${infrastructure.queue.concurrencyPerKey ?? 1} at once per ${typeof infrastructure.queue.concurrencyKey === 'string' ? infrastructure.queue.concurrencyKey : 'key'}`))
        : null,
    ),
    infrastructure ? schemaBlock('Infrastructure', infrastructure) : null,
    schemaBlock('Input schema', config.input),
    schemaBlock('Body schema', config.bodySchema),
    schemaBlock('Response schemas', config.responseSchema),
  )
}

/** Flows: the graph of steps and topics, per flow, with warnings and node details. */
export function mount(root, route) {
  let flow = route.params.get('flow') ?? ALL
  let selected = route.params.get('step')
  let graph = null
  let steps = { steps: [], errors: [], warnings: [] }
  let fitted = null

  const picker = select({ class: 'flow-picker', 'aria-label': 'flow' }, [[ALL, 'All flows']], flow)
  const summary = h('span', { class: 'muted summary' })
  const banners = h('div', { class: 'banners' })
  const canvas = h('div', { class: 'graph-wrap' })
  const side = h('div', { class: 'side' })
  const panelWidth = 400
  const legend = h(
    'div',
    { class: 'legend' },
    ['api', 'event', 'cron', 'noop'].map((type) => h('span', { class: `legend-item type-${type}` }, h('i'), type)),
    h('span', { class: 'legend-item dashed' }, h('i'), 'conditional / virtual'),
  )
  const graphView = createGraphView(canvas, { onSelect: (id) => go(flow, id) })
  canvas.append(h('div', { class: 'graph-empty' }, empty('No steps here yet', 'Add a file such as steps/hello.step.ts: it shows up here as soon as you save it.')))
  root.append(
    h(
      'section',
      { class: 'flows' },
      h(
        'div',
        { class: 'toolbar' },
        h('label', { class: 'field-inline' }, 'Flow', picker),
        summary,
        h('span', { class: 'spacer' }),
        legend,
        h('button', { class: 'button small', type: 'button', title: 'Zoom out', onClick: () => graphView.zoom(1 / 1.2) }, '−'),
        h('button', { class: 'button small', type: 'button', title: 'Zoom in', onClick: () => graphView.zoom(1.2) }, '+'),
        h('button', { class: 'button small', type: 'button', onClick: () => graphView.fit(selected ? panelWidth : 0) }, 'Fit'),
      ),
      banners,
      h('div', { class: 'flows-body' }, canvas, side, h('div', { class: 'graph-hint muted' }, 'Click a step for its config, file and schemas · drag to pan · scroll to zoom')),
    ),
  )
  picker.addEventListener('change', () => go(picker.value, null))

  function go(nextFlow, step) {
    const params = new URLSearchParams()
    if (nextFlow) params.set('flow', nextFlow)
    if (step) params.set('step', step)
    location.hash = `#/flows${params.toString() ? `?${params}` : ''}`
  }

  function draw() {
    if (!graph) return
    setOptions(picker, [[ALL, 'All flows'], ...graph.flows], flow)
    summary.textContent = `${plural(graph.nodes.length, 'step')} · ${plural(graph.edges.length, 'connection')}`
    const warnings = graph.warnings
    fill(
      banners,
      steps.errors.length ? h('div', { class: 'callout error' }, h('strong', {}, `${plural(steps.errors.length, 'step file')} failed to load`), steps.errors.map((error) => h('div', { class: 'mono' }, `${error.file}${error.line ? `:${error.line}` : ''}: ${error.message}`))) : null,
      warnings.length ? h('details', { class: 'callout warn', open: warnings.length <= 3 }, h('summary', {}, h('strong', {}, plural(warnings.length, 'warning'))), warnings.map((warning) => h('div', { class: 'warning', 'data-code': warning.code }, warning.message))) : null,
    )
    const warned = new Set(warnings.filter((warning) => warning.step).map((warning) => warning.step))
    const node = graph.nodes.find((candidate) => candidate.id === selected)
    canvas.classList.toggle('is-empty', graph.nodes.length === 0)
    graphView.render(graph, node ? selected : null, warned)
    // Fit again when the steps or the room change: a new graph, or the details panel opening or closing.
    const shape = `${flow}|${graph.nodes.map((item) => item.id).join(',')}|${graph.edges.length}|${Boolean(node)}`
    side.classList.toggle('open', Boolean(node))
    fill(side, node ? nodeDetails(node, steps.steps.find((step) => step.name === node.id), warnings.filter((warning) => warning.step === node.id), () => go(flow, null)) : null)
    if (node) graphView.reveal(node.id, panelWidth)
    else if (fitted !== shape) graphView.fit()
    fitted = shape
  }

  async function load() {
    try {
      ;[graph, steps] = await Promise.all([getJson('/__motia/graph', { flow }), getJson('/__motia/steps')])
      root.querySelector('.flows')?.setAttribute('data-loaded', String(Date.now()))
      draw()
    } catch (error) {
      fill(banners, h('div', { class: 'callout error' }, `Could not load the graph: ${error.message}`))
    }
  }

  const stops = [onLive('graph', load), onLive('reconnect', load)]
  void load()
  return {
    update(next) {
      const nextFlow = next.params.get('flow') ?? ALL
      const nextStep = next.params.get('step')
      if (nextFlow !== flow) {
        flow = nextFlow
        selected = nextStep
        void load()
        return
      }
      selected = nextStep
      draw()
    },
    destroy() {
      for (const stop of stops) stop()
    },
  }
}
