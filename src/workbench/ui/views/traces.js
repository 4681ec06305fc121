import { getJson } from '../lib/api.js'
import { debounce, empty, fill, fmtAgo, fmtMs, fmtTime, h, plural, select, setOptions, shortId } from '../lib/dom.js'
import { jsonInline, jsonView } from '../lib/json-view.js'
import { onLive } from '../lib/live.js'

const MAX_LISTED = 200

function traceItem(trace, active) {
  const { counts } = trace
  return h(
    'a',
    { class: ['list-item', 'trace-item', active && 'active'], href: `#/traces/${trace.traceId}`, 'data-trace-id': trace.traceId, 'data-status': trace.status },
    h('span', { class: `status-dot status-${trace.status}`, title: trace.status }),
    h(
      'span',
      { class: 'list-main' },
      h('span', { class: 'trace-name' }, trace.name),
      h('span', { class: 'muted small' }, `${fmtAgo(trace.startedAt)} · ${fmtMs(trace.durationMs)} · ${plural(trace.steps.length, 'step')}`),
    ),
    counts.errors ? h('span', { class: 'badge badge-error', title: 'errors' }, counts.errors) : null,
  )
}

/** What a timeline row says, by entry type. */
function describe(entry) {
  switch (entry.type) {
    case 'run': {
      if (entry.trigger === 'api') return [h('strong', {}, `${entry.method} ${entry.path}`), entry.httpStatus !== undefined ? h('span', { class: ['status-pill', `status-${Math.floor(entry.httpStatus / 100)}xx`] }, entry.httpStatus || 'no answer') : null]
      if (entry.trigger === 'cron') return [h('strong', {}, 'cron tick'), entry.error ? h('span', { class: 'error-text' }, entry.error) : null]
      return [
        h('strong', {}, `job on ${entry.topic}`),
        h('span', { class: 'muted' }, `attempt ${entry.attempt}/${entry.maxAttempts}`),
        entry.error ? h('span', { class: 'error-text' }, `${entry.error}${entry.willRetry ? ' (will retry)' : ''}`) : null,
        h('a', { class: 'muted mono', href: `#/jobs?id=${entry.jobId}` }, shortId(entry.jobId)),
      ]
    }
    case 'emit':
      return [h('span', { class: 'kind' }, 'emit'), h('code', {}, entry.topic), h('span', { class: 'muted inline-data' }, jsonInline(entry.data, 120))]
    case 'state':
      return [h('span', { class: 'kind' }, `state ${entry.op}`), h('code', {}, entry.key === null ? entry.group : `${entry.group} / ${entry.key}`)]
    case 'stream':
      return [h('span', { class: 'kind' }, `stream ${entry.op}`), h('code', {}, [entry.stream, entry.group, ...(entry.id === null ? [] : [entry.id])].join(' / '))]
    default:
      return [h('span', { class: `level level-${entry.level}` }, entry.level), h('span', {}, entry.msg), Object.keys(entry.meta ?? {}).length ? h('span', { class: 'muted inline-data' }, jsonInline(entry.meta, 100)) : null]
  }
}

function timelineRow(entry, total) {
  const left = total > 0 ? (entry.offsetMs / total) * 100 : 0
  const run = entry.type === 'run'
  const width = run ? Math.max(0.6, ((entry.durationMs ?? total - entry.offsetMs) / (total || 1)) * 100) : 0
  const mark = run
    ? h('span', { class: ['bar', `bar-${entry.trigger}`, `bar-${entry.status}`] })
    : h('span', { class: ['tick', `tick-${entry.type}`, entry.type === 'log' && `tick-${entry.level}`] })
  mark.style.left = `${Math.min(left, 99.4)}%`
  if (run) mark.style.width = `${Math.min(width, 100 - Math.min(left, 99.4))}%`
  const detail = entry.type === 'emit' ? entry.data : entry.type === 'log' && Object.keys(entry.meta ?? {}).length ? entry.meta : null
  const row = h(
    'div',
    { class: ['tl-row', `tl-${entry.type}`, run && `tl-run-${entry.status}`, entry.type === 'log' && `tl-log-${entry.level}`], 'data-entry': entry.type },
    h('span', { class: 'tl-offset mono' }, `+${fmtMs(entry.offsetMs)}`),
    h('span', { class: 'tl-step', title: entry.step ?? '' }, entry.step ?? 'outside'),
    h('span', { class: 'tl-what' }, describe(entry)),
    h('span', { class: 'tl-duration mono' }, run ? (entry.durationMs === null ? 'running' : fmtMs(entry.durationMs)) : ''),
    h('span', { class: 'tl-track' }, mark),
  )
  if (!detail) return row
  const wrap = h('details', { class: 'tl-details' }, h('summary', {}, row), jsonView(detail))
  return wrap
}

function traceDetail(trace) {
  const { counts } = trace
  return h(
    'div',
    { class: 'trace-detail', 'data-trace-id': trace.traceId, 'data-status': trace.status },
    h(
      'div',
      { class: 'trace-head' },
      h('span', { class: `status-pill trace-status-${trace.status}` }, trace.status),
      h('h2', {}, trace.name),
      h('span', { class: 'spacer' }),
      h('a', { class: 'button small', href: `#/logs?traceId=${trace.traceId}` }, 'Logs of this trace'),
    ),
    h(
      'div',
      { class: 'trace-meta' },
      h('span', {}, h('span', { class: 'muted' }, 'trace '), h('code', {}, trace.traceId)),
      h('span', {}, h('span', { class: 'muted' }, 'started '), fmtTime(trace.startedAt)),
      h('span', {}, h('span', { class: 'muted' }, 'duration '), fmtMs(trace.durationMs)),
      h('span', {}, [plural(counts.runs, 'run'), plural(counts.emits, 'emit'), plural(counts.stateWrites, 'state write'), ...(counts.streamWrites ? [plural(counts.streamWrites, 'stream write')] : []), plural(counts.logs, 'log line')].join(' · ')),
      counts.errors ? h('span', { class: 'error-text' }, plural(counts.errors, 'error')) : null,
      trace.dropped ? h('span', { class: 'muted' }, `${trace.dropped} entries not kept`) : null,
    ),
    h(
      'div',
      { class: 'timeline' },
      h('div', { class: 'tl-row tl-header' }, h('span', {}, 'at'), h('span', {}, 'step'), h('span', {}, 'what'), h('span', {}, 'took'), h('span', { class: 'tl-scale' }, h('span', {}, '0'), h('span', {}, fmtMs(trace.durationMs)))),
      trace.entries.map((entry) => timelineRow(entry, trace.durationMs)),
    ),
  )
}

/** Traces: recent traces and one trace as an ordered timeline. */
export function mount(root, route) {
  let selected = route.arg
  let step = route.params.get('step') ?? ''
  let status = route.params.get('status') ?? ''
  let traces = []
  const list = h('nav', { class: 'list trace-list', 'aria-label': 'recent traces' })
  const main = h('div', { class: 'trace-pane' })
  const stepPicker = select({ 'aria-label': 'step' }, [['', 'All steps']], step)
  const statusPicker = select({ 'aria-label': 'status' }, [['', 'Any status'], ['running', 'running'], ['ok', 'ok'], ['error', 'error']], status)
  root.append(
    h(
      'section',
      { class: 'two-pane traces' },
      h('aside', { class: 'pane-list' }, h('div', { class: 'pane-title' }, 'Recent traces'), h('div', { class: 'pane-filters' }, stepPicker, statusPicker), list),
      main,
    ),
  )
  const filter = () => {
    const params = new URLSearchParams()
    if (stepPicker.value) params.set('step', stepPicker.value)
    if (statusPicker.value) params.set('status', statusPicker.value)
    location.hash = `#/traces${selected ? `/${selected}` : ''}${params.toString() ? `?${params}` : ''}`
  }
  stepPicker.addEventListener('change', filter)
  statusPicker.addEventListener('change', filter)

  const drawList = () => {
    fill(list, ...traces.map((trace) => traceItem(trace, trace.traceId === selected)))
    if (!traces.length) list.append(empty('No traces yet', 'Call an endpoint (the Endpoints tab does it), emit an event or wait for a cron tick.'))
  }

  async function loadList() {
    ;({ traces } = await getJson('/__motia/traces', { limit: MAX_LISTED, step, status }))
    drawList()
  }

  async function loadSelected() {
    if (!selected) {
      fill(main, empty('Pick a trace', 'Each trace is one request, cron tick or outside emit, and everything it set off.'))
      return
    }
    try {
      fill(main, traceDetail(await getJson(`/__motia/traces/${encodeURIComponent(selected)}`)))
    } catch (error) {
      fill(main, empty('Trace not found', error.message))
    }
  }

  async function loadSteps() {
    const { steps } = await getJson('/__motia/steps')
    setOptions(stepPicker, [['', 'All steps'], ...steps.filter((item) => item.type !== 'noop').map((item) => item.name)], step)
  }

  const reloadSelected = debounce(loadSelected, 150)
  const stops = [
    onLive('traces', ({ traces: changed }) => {
      let added = false
      for (const summary of changed) {
        const index = traces.findIndex((trace) => trace.traceId === summary.traceId)
        if (index >= 0) traces[index] = summary
        else if ((!step || summary.steps.includes(step)) && (!status || summary.status === status)) {
          traces.unshift(summary)
          added = true
        }
      }
      if (added) traces.sort((a, b) => b.startedAt - a.startedAt).splice(MAX_LISTED)
      drawList()
      if (changed.some((summary) => summary.traceId === selected)) reloadSelected()
    }),
    onLive('reconnect', () => void Promise.all([loadList(), loadSelected()])),
    onLive('graph', loadSteps),
  ]
  void Promise.all([loadList(), loadSelected(), loadSteps()])
  // Only the "12 s ago" texts change; nothing is fetched.
  const clock = setInterval(drawList, 15_000)
  return {
    update(next) {
      const nextStep = next.params.get('step') ?? ''
      const nextStatus = next.params.get('status') ?? ''
      selected = next.arg
      if (nextStep !== step || nextStatus !== status) {
        step = nextStep
        status = nextStatus
        void loadList()
      } else drawList()
      void loadSelected()
    },
    destroy() {
      clearInterval(clock)
      for (const stop of stops) stop()
    },
  }
}
