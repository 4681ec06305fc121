import { getJson } from '../lib/api.js'
import { empty, fill, fmtTime, h, select, setOptions, shortId } from '../lib/dom.js'
import { jsonInline, jsonView } from '../lib/json-view.js'
import { onLive } from '../lib/live.js'

const LEVELS = ['debug', 'info', 'warn', 'error']
const KEEP = 2000

/** Logs: a live tail of every log line, filterable by level, step, trace and text. */
export function mount(root, route) {
  const filter = { level: route.params.get('level') ?? 'debug', step: route.params.get('step') ?? '', traceId: route.params.get('traceId') ?? '', text: '' }
  let lines = []
  let paused = false
  const level = select({ 'aria-label': 'level' }, LEVELS.map((name) => [name, `${name} and above`]), filter.level)
  const step = select({ 'aria-label': 'step' }, [['', 'All steps']], filter.step)
  const traceId = h('input', { class: 'input mono', placeholder: 'trace id', 'aria-label': 'trace id', value: filter.traceId })
  const text = h('input', { class: 'input grow', type: 'search', placeholder: 'Filter text…', 'aria-label': 'filter text' })
  const pause = h('button', { class: 'button small', type: 'button' }, 'Pause')
  const clear = h('button', { class: 'button small ghost', type: 'button' }, 'Clear')
  const count = h('span', { class: 'muted small' })
  const body = h('div', { class: 'log-lines', role: 'log', 'aria-live': 'off' })
  root.append(h('section', { class: 'logs' }, h('div', { class: 'toolbar' }, level, step, traceId, text, h('span', { class: 'spacer' }), count, pause, clear), body))

  const matches = (line) =>
    LEVELS.indexOf(line.level) >= LEVELS.indexOf(filter.level) &&
    (!filter.step || line.step === filter.step) &&
    (!filter.traceId || (line.traceId ?? '').startsWith(filter.traceId)) &&
    (!filter.text || `${line.msg} ${JSON.stringify(line.meta)}`.toLowerCase().includes(filter.text.toLowerCase()))

  function row(line) {
    const hasMeta = line.meta && Object.keys(line.meta).length > 0
    const head = h(
      'div',
      { class: ['log-row', `log-${line.level}`], 'data-level': line.level },
      h('span', { class: 'log-time mono' }, fmtTime(line.time)),
      h('span', { class: `level level-${line.level}` }, line.level),
      h('span', { class: 'log-step' }, line.step ?? ''),
      h('span', { class: 'log-msg' }, line.msg, hasMeta ? h('span', { class: 'muted log-meta' }, ` ${jsonInline(line.meta, 200)}`) : null),
      line.traceId ? h('a', { class: 'log-trace mono', href: `#/traces/${line.traceId}`, title: line.traceId, onClick: (event) => event.stopPropagation() }, shortId(line.traceId)) : h('span'),
    )
    return hasMeta ? h('details', { class: 'log-details' }, h('summary', {}, head), jsonView(line.meta)) : head
  }

  const atBottom = () => body.scrollHeight - body.scrollTop - body.clientHeight < 40
  function draw() {
    const shown = lines.filter(matches)
    fill(body, ...shown.map(row))
    if (!shown.length) body.append(empty('No log lines', lines.length ? 'None match the filters.' : 'Lines appear here as steps log.'))
    count.textContent = `${shown.length} of ${lines.length} lines`
    body.scrollTop = body.scrollHeight
  }
  function append(received) {
    // A line written just before the load answered also arrives in the next live batch: skip it once.
    const incoming = received.filter((line) => !recent.delete(keyOf(line)))
    lines.push(...incoming)
    if (lines.length > KEEP) lines = lines.slice(-KEEP)
    if (paused) return
    const stick = atBottom()
    body.querySelector('.empty')?.remove()
    for (const line of incoming) if (matches(line)) body.append(row(line))
    while (body.childElementCount > KEEP) body.firstElementChild.remove()
    count.textContent = `${body.querySelectorAll('.log-row').length} of ${lines.length} lines`
    if (stick) body.scrollTop = body.scrollHeight
  }

  const refilter = () => {
    Object.assign(filter, { level: level.value, step: step.value, traceId: traceId.value.trim(), text: text.value })
    draw()
  }
  for (const input of [level, step]) input.addEventListener('change', refilter)
  for (const input of [traceId, text]) input.addEventListener('input', refilter)
  pause.addEventListener('click', () => {
    paused = !paused
    pause.textContent = paused ? 'Resume' : 'Pause'
    pause.classList.toggle('active', paused)
    if (!paused) draw()
  })
  clear.addEventListener('click', () => {
    lines = []
    draw()
  })

  /** Lines of the last load written in its final second, which a live batch may bring again. */
  let recent = new Set()
  const keyOf = (line) => JSON.stringify([line.time, line.level, line.msg, line.step, line.traceId])

  async function load() {
    const [{ logs }, { steps }] = await Promise.all([getJson('/__motia/logs', { limit: 1000 }), getJson('/__motia/steps')])
    lines = logs
    const newest = logs.at(-1)?.time ?? 0
    recent = new Set(logs.filter((line) => line.time >= newest - 1000).map(keyOf))
    setOptions(step, [['', 'All steps'], ...steps.map((item) => item.name)], filter.step)
    draw()
  }

  const stops = [onLive('logs', ({ lines: incoming }) => append(incoming)), onLive('reconnect', load)]
  void load()
  return {
    update(next) {
      filter.traceId = next.params.get('traceId') ?? ''
      filter.step = next.params.get('step') ?? filter.step
      traceId.value = filter.traceId
      step.value = filter.step
      draw()
    },
    destroy() {
      for (const stop of stops) stop()
    },
  }
}
