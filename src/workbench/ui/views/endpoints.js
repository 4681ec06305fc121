import { getJson } from '../lib/api.js'
import { empty, fill, fmtMs, h, plural } from '../lib/dom.js'
import { jsonView } from '../lib/json-view.js'
import { onLive } from '../lib/live.js'
import { sampleOf } from '../lib/schema-sample.js'

const PARAM = /[:*]([A-Za-z0-9_]+)/g
const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS'])
/** What was typed per endpoint, kept while the page is open. */
const drafts = new Map()

function exampleBody(step) {
  const schema = step.config.bodySchema
  return JSON.stringify(schema ? sampleOf(schema) : {}, null, 2)
}

function draftOf(step) {
  if (!drafts.has(step.name)) {
    drafts.set(step.name, {
      params: {},
      query: (step.config.queryParams ?? []).map((param) => ({ name: param.name, value: '', hint: param.description ?? '' })),
      headers: [],
      body: exampleBody(step),
    })
  }
  return drafts.get(step.name)
}

/** Editable name/value rows (query parameters, headers) over `list`; `onChange` runs after each edit. */
function pairRows(list, addLabel, onChange) {
  const rows = h('div', { class: 'pairs' })
  const edit = (change, redraw = false) => {
    change()
    if (redraw) draw()
    onChange()
  }
  const draw = () => {
    fill(
      rows,
      ...list.map((pair, index) =>
        h(
          'div',
          { class: 'pair' },
          h('input', { class: 'input mono', placeholder: 'name', value: pair.name, onInput: (event) => edit(() => (pair.name = event.target.value)) }),
          h('input', { class: 'input mono', placeholder: pair.hint || 'value', value: pair.value, onInput: (event) => edit(() => (pair.value = event.target.value)) }),
          h('button', { class: 'icon-button', type: 'button', title: 'Remove', onClick: () => edit(() => list.splice(index, 1), true) }, '×'),
        ),
      ),
      h('button', { class: 'button small ghost', type: 'button', onClick: () => edit(() => list.push({ name: '', value: '' }), true) }, addLabel),
    )
  }
  draw()
  return rows
}

function statusClass(status) {
  if (status >= 500) return 'status-5xx'
  if (status >= 400) return 'status-4xx'
  if (status >= 300) return 'status-3xx'
  return 'status-2xx'
}

function responseView(result) {
  const { response, text, ms, traceId } = result
  let body
  try {
    body = text ? jsonView(JSON.parse(text), { class: 'response-body' }) : h('div', { class: 'muted' }, 'empty body')
  } catch {
    body = h('pre', { class: 'response-body' }, text)
  }
  const trace = traceId
    ? h('a', { class: 'trace-link', href: `#/traces/${traceId}`, 'data-trace-id': traceId }, h('span', { class: 'dot' }), 'Open trace', h('span', { class: 'trace-live muted' }))
    : null
  return h(
    'div',
    { class: 'response', 'data-status': response.status },
    h('div', { class: 'response-head' }, h('span', { class: ['status-pill', statusClass(response.status)] }, `${response.status} ${response.statusText}`), h('span', { class: 'metric' }, fmtMs(ms)), h('span', { class: 'metric' }, `${new Blob([text]).size} B`), h('span', { class: 'spacer' }), trace),
    h('h3', {}, 'Body'),
    body,
    h('h3', {}, 'Headers'),
    h('table', { class: 'kv' }, [...response.headers.entries()].map(([name, value]) => h('tr', {}, h('th', {}, name), h('td', { class: 'mono' }, value)))),
  )
}

/** Endpoints: pick an API step, fill params, query, headers and body, send, see the answer and its trace. */
export function mount(root, route) {
  let steps = []
  let current = route.arg
  let lastTrace = null
  const list = h('nav', { class: 'list endpoint-list', 'aria-label': 'API steps' })
  const main = h('div', { class: 'tester' })
  root.append(h('section', { class: 'two-pane endpoints' }, h('aside', { class: 'pane-list' }, h('div', { class: 'pane-title' }, 'API steps'), list), main))

  function drawList() {
    fill(
      list,
      ...steps.map((step) =>
        h(
          'a',
          { class: ['list-item', step.name === current && 'active'], href: `#/endpoints/${encodeURIComponent(step.name)}`, 'data-step': step.name },
          h('span', { class: `method method-${step.config.method}` }, step.config.method),
          h('span', { class: 'list-main' }, h('span', { class: 'mono' }, step.config.path), h('span', { class: 'muted small' }, step.name)),
        ),
      ),
    )
    if (!steps.length) list.append(empty('No API steps', 'A step with type "api" shows up here.'))
  }

  function drawTester() {
    const step = steps.find((candidate) => candidate.name === current)
    if (!step) {
      fill(main, empty(steps.length ? 'Pick an endpoint' : 'Nothing to call yet', 'Choose an API step on the left to send it a request.'))
      return
    }
    const { method, path } = step.config
    const draft = draftOf(step)
    const params = [...path.matchAll(PARAM)].map((match) => match[1])
    const url = h('code', { class: 'url-preview' })
    const bodyError = h('div', { class: 'field-error' })
    const output = h('div', { class: 'response-slot' }, draft.result ? responseView(draft.result) : null)
    const buildUrl = () => {
      const filled = path.replace(PARAM, (_all, name) => encodeURIComponent(draft.params[name] ?? '') || `:${name}`)
      const query = new URLSearchParams(draft.query.filter((pair) => pair.name && pair.value !== '').map((pair) => [pair.name, pair.value]))
      return query.toString() ? `${filled}?${query}` : filled
    }
    const refresh = () => (url.textContent = `${method} ${buildUrl()}`)
    const body = h('textarea', { class: 'input mono body-editor', spellcheck: 'false', rows: Math.min(18, Math.max(5, draft.body.split('\n').length + 1)), 'aria-label': 'request body', value: draft.body })
    body.addEventListener('input', () => (draft.body = body.value))
    const send = h('button', { class: 'button primary', type: 'submit', 'data-action': 'send' }, 'Send')

    async function submit(event) {
      event.preventDefault()
      bodyError.textContent = ''
      const headers = { accept: 'application/json, */*' }
      for (const pair of draft.headers) if (pair.name) headers[pair.name] = pair.value
      const init = { method, headers }
      if (!NO_BODY.has(method) && draft.body.trim()) {
        try {
          JSON.parse(draft.body)
        } catch (error) {
          bodyError.textContent = `The body is not valid JSON: ${error.message}`
          return
        }
        headers['content-type'] ??= 'application/json'
        init.body = draft.body
      }
      send.disabled = true
      const started = performance.now()
      try {
        const response = await fetch(buildUrl(), init)
        const text = await response.text()
        draft.result = { response, text, ms: performance.now() - started, traceId: response.headers.get('x-trace-id') }
        lastTrace = draft.result.traceId
        fill(output, responseView(draft.result))
      } catch (error) {
        fill(output, h('div', { class: 'callout error' }, `The request failed: ${error.message}`))
      } finally {
        send.disabled = false
      }
    }

    fill(
      main,
      h(
        'form',
        { class: 'request', onSubmit: submit },
        h('div', { class: 'request-head' }, h('span', { class: `method method-${method}` }, method), h('h2', { class: 'mono' }, path), h('span', { class: 'muted' }, step.name)),
        step.config.description ? h('p', { class: 'description' }, step.config.description) : null,
        params.length
          ? h(
              'fieldset',
              {},
              h('legend', {}, 'Path parameters'),
              params.map((name) =>
                h(
                  'label',
                  { class: 'param' },
                  h('span', { class: 'mono' }, `:${name}`),
                  h('input', {
                    class: 'input mono',
                    name: `param-${name}`,
                    value: draft.params[name] ?? '',
                    onInput: (event) => {
                      draft.params[name] = event.target.value
                      refresh()
                    },
                  }),
                ),
              ),
            )
          : null,
        h('fieldset', {}, h('legend', {}, 'Query'), pairRows(draft.query, '+ Query parameter', refresh)),
        h('fieldset', {}, h('legend', {}, 'Headers'), pairRows(draft.headers, '+ Header', refresh)),
        NO_BODY.has(method)
          ? null
          : h(
              'fieldset',
              {},
              h('legend', {}, 'Body ', h('span', { class: 'muted small' }, step.config.bodySchema ? '(example from bodySchema)' : '(JSON)')),
              body,
              bodyError,
              h('button', { class: 'button small ghost', type: 'button', onClick: () => (body.value = draft.body = exampleBody(step)) }, 'Reset to example'),
            ),
        h('div', { class: 'request-actions' }, send, url, h('span', { class: 'muted small' }, 'Ctrl+Enter sends')),
      ),
      output,
    )
    body.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) main.querySelector('form').requestSubmit()
    })
    refresh()
  }

  async function load() {
    const { steps: all } = await getJson('/__motia/steps')
    steps = all.filter((step) => step.type === 'api').sort((a, b) => a.config.path.localeCompare(b.config.path) || a.config.method.localeCompare(b.config.method))
    if (!current && steps[0]) current = steps[0].name
    drawList()
    drawTester()
  }

  const stops = [
    onLive('graph', load),
    onLive('reconnect', load),
    onLive('traces', ({ traces }) => {
      const trace = traces.find((item) => item.traceId === lastTrace)
      const link = lastTrace && main.querySelector(`.trace-link[data-trace-id="${CSS.escape(lastTrace)}"]`)
      if (!trace || !link) return
      link.dataset.status = trace.status
      link.querySelector('.trace-live').textContent = `${plural(trace.steps.length, 'step')} · ${trace.status} · ${fmtMs(trace.durationMs)}`
    }),
  ]
  void load()
  return {
    update(next) {
      current = next.arg ?? current
      drawList()
      drawTester()
    },
    destroy() {
      for (const stop of stops) stop()
    },
  }
}
