import { getJson, postJson } from '../lib/api.js'
import { debounce, empty, fill, fmtAgo, fmtMs, fmtTime, h, plural, select, setOptions, shortId } from '../lib/dom.js'
import { jsonView } from '../lib/json-view.js'
import { onLive } from '../lib/live.js'
import { throughputOf, watchMetrics } from '../lib/metrics-data.js'
import { sparkline } from '../lib/sparkline.js'

const STATUSES = ['pending', 'running', 'failed', 'dead', 'completed', 'cancelled', 'skipped']
const STATUS_HINT = { failed: 'waiting to retry', dead: 'dead-letter queue', skipped: 'dropped by a throttle' }
const PAGE = 50

function statusBadge(status) {
  return h('span', { class: `job-status job-${status}` }, status)
}

function statCards(stats, active, pick) {
  return STATUSES.map((status) =>
    h(
      'button',
      { class: ['stat-card', `stat-${status}`, active === status && 'active'], type: 'button', 'data-status': status, onClick: () => pick(active === status ? '' : status) },
      h('span', { class: 'stat-count' }, String(stats.byStatus[status] ?? 0)),
      h('span', { class: 'stat-label' }, status, STATUS_HINT[status] ? h('span', { class: 'muted' }, ` · ${STATUS_HINT[status]}`) : null),
    ),
  )
}

/** The attempts of a step over the last hour, as a sparkline; empty until the series has loaded. */
function stepSpark(series, step) {
  const points = series?.steps[step]
  if (!points) return null
  const values = throughputOf(points)
  const total = values.reduce((sum, value) => sum + value, 0)
  return sparkline(values, { title: `${plural(total, 'attempt')} in the last hour` })
}

function byStepTable(stats, pickStep, series) {
  const steps = Object.keys(stats.byStep).sort()
  if (!steps.length) return null
  return h(
    'table',
    { class: 'grid-table by-step' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', {}, 'Last hour'), STATUSES.map((status) => h('th', { class: 'num' }, status)))),
    h(
      'tbody',
      {},
      steps.map((step) =>
        h(
          'tr',
          { 'data-step': step },
          h('td', {}, h('a', { href: '#', onClick: (event) => (event.preventDefault(), pickStep(step)) }, step)),
          h('td', { class: 'spark', 'data-spark': step }, stepSpark(series, step)),
          STATUSES.map((status) => {
            const count = stats.byStep[step][status] ?? 0
            return h('td', { class: ['num', count === 0 && 'zero', count > 0 && `cell-${status}`] }, String(count))
          }),
        ),
      ),
    ),
  )
}

/** Why a waiting job has not started: `rate-limited until 10:42:07`, `paused`. */
function waitText(wait) {
  return wait.until === null ? wait.reason : `${wait.reason} until ${fmtTime(wait.until)}`
}

function jobRow(job, selected, open) {
  return h(
    'tr',
    { class: ['job-row', job.id === selected && 'active'], 'data-job-id': job.id, 'data-status': job.status, onClick: () => open(job.id) },
    h('td', {}, statusBadge(job.status), job.wait ? h('span', { class: 'muted', 'data-wait': job.wait.reason }, ` · ${waitText(job.wait)}`) : null),
    h('td', {}, job.step),
    h('td', { class: 'mono' }, job.topic),
    h('td', { class: 'num' }, `${job.attempts}/${job.maxAttempts}`),
    h('td', { class: 'muted', title: new Date(job.createdAt).toLocaleString() }, fmtAgo(job.createdAt)),
    h('td', { class: 'error-cell', title: job.lastError ?? '' }, job.lastError ?? ''),
    h('td', { class: 'mono muted' }, shortId(job.id)),
  )
}

function jobDetail(job, act, close) {
  const canRetry = ['dead', 'failed', 'cancelled'].includes(job.status)
  const canCancel = ['pending', 'failed'].includes(job.status)
  const time = (at) => (at ? `${fmtTime(at)} (${fmtAgo(at)})` : '–')
  return h(
    'aside',
    { class: 'details job-detail', 'data-job-id': job.id, 'data-status': job.status },
    h('div', { class: 'details-head' }, statusBadge(job.status), h('h2', {}, job.step), h('button', { class: 'icon-button', type: 'button', title: 'Close', onClick: close }, '×')),
    h(
      'div',
      { class: 'actions' },
      canRetry ? h('button', { class: 'button primary', type: 'button', 'data-action': 'retry', onClick: () => act('retry') }, 'Retry') : null,
      canCancel ? h('button', { class: 'button danger', type: 'button', 'data-action': 'cancel', onClick: () => act('cancel') }, 'Cancel') : null,
      h('a', { class: 'button', href: `#/traces/${job.traceId}` }, 'Trace'),
    ),
    h(
      'dl',
      { class: 'fields' },
      h('dt', {}, 'Job'), h('dd', {}, h('code', {}, job.id)),
      h('dt', {}, 'Topic'), h('dd', {}, h('code', {}, job.topic)),
      h('dt', {}, 'Attempts'), h('dd', {}, `${job.attempts} of ${job.maxAttempts}`),
      h('dt', {}, 'Created'), h('dd', {}, time(job.createdAt)),
      h('dt', {}, 'Started'), h('dd', {}, time(job.startedAt)),
      h('dt', {}, 'Finished'), h('dd', {}, job.finishedAt ? `${time(job.finishedAt)}${job.startedAt ? `, ran ${fmtMs(job.finishedAt - job.startedAt)}` : ''}` : '–'),
      job.status === 'pending' || job.status === 'failed' ? [h('dt', {}, 'Runs at'), h('dd', {}, time(job.runAt))] : null,
      job.wait ? [h('dt', {}, 'Waiting'), h('dd', { 'data-wait': job.wait.reason }, waitText(job.wait))] : null,
      job.batchId ? [h('dt', {}, 'Batch'), h('dd', { 'data-field': 'batch' }, h('code', {}, job.batchId))] : null,
      job.messageGroupId ? [h('dt', {}, 'Group'), h('dd', {}, h('code', {}, job.messageGroupId))] : null,
      job.priority ? [h('dt', {}, 'Priority'), h('dd', {}, String(job.priority))] : null,
    ),
    h('h3', {}, 'Payload'),
    jsonView(job.data),
    h('h3', {}, `Attempts with errors (${job.errors.length})`),
    job.errors.length
      ? h(
          'ol',
          { class: 'attempts' },
          job.errors.map((error) =>
            h(
              'li',
              { class: 'attempt' },
              h('div', { class: 'attempt-head' }, h('strong', {}, `Attempt ${error.attempt}`), h('span', { class: 'muted' }, fmtTime(error.at))),
              h('div', { class: 'error-text' }, error.message),
              error.stack ? h('details', {}, h('summary', {}, 'stack'), h('pre', { class: 'stack' }, error.stack)) : null,
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No failed attempts.'),
  )
}

/** Jobs: counts per status and step, a filtered list, one job's attempts, retry, cancel and bulk replay. */
export function mount(root, route) {
  const filter = { status: '', step: '', topic: '', search: '', offset: 0 }
  let selected = null
  let stats = null
  let series = null
  const cards = h('div', { class: 'stat-cards' })
  const byStep = h('details', { class: 'by-step-wrap', open: true }, h('summary', {}, 'By step'))
  const byStepBody = h('div')
  byStep.append(byStepBody)
  const statusPicker = select({ 'aria-label': 'status' }, [['', 'Any status'], ...STATUSES.map((status) => [status, status])])
  const stepPicker = select({ 'aria-label': 'step' }, [['', 'All steps']])
  const topic = h('input', { class: 'input', placeholder: 'topic', 'aria-label': 'topic' })
  const search = h('input', { class: 'input grow', type: 'search', placeholder: 'Search payloads…', 'aria-label': 'search payloads' })
  const replay = h('button', { class: 'button danger', type: 'button', 'data-action': 'replay-dead' }, 'Replay dead jobs')
  const note = h('span', { class: 'muted small note' })
  const table = h('div', { class: 'job-table-wrap' })
  const pager = h('div', { class: 'pager' })
  const side = h('div', { class: 'side job-side' })
  root.append(
    h(
      'section',
      { class: 'jobs' },
      h('div', { class: 'stat-row' }, cards),
      h(
        'div',
        { class: 'jobs-body' },
        h('div', { class: 'jobs-main' }, byStep, h('div', { class: 'toolbar' }, statusPicker, stepPicker, topic, search, h('span', { class: 'spacer' }), note, replay), table, pager),
        side,
      ),
    ),
  )

  const apply = (changes) => {
    Object.assign(filter, changes, { offset: changes.offset ?? 0 })
    statusPicker.value = filter.status
    stepPicker.value = filter.step
    void refresh()
  }
  statusPicker.addEventListener('change', () => apply({ status: statusPicker.value }))
  stepPicker.addEventListener('change', () => apply({ step: stepPicker.value }))
  topic.addEventListener('input', debounce(() => apply({ topic: topic.value.trim() }), 250))
  search.addEventListener('input', debounce(() => apply({ search: search.value }), 250))
  replay.addEventListener('click', async () => {
    replay.disabled = true
    try {
      const { retried } = await postJson('/__motia/jobs/retry', filter.step ? { step: filter.step } : {})
      note.textContent = `${plural(retried, 'dead job')} replayed`
    } catch (error) {
      note.textContent = error.message
    }
    await refresh()
  })

  const open = (id) => {
    selected = id
    void refresh()
  }

  async function act(action) {
    try {
      await postJson(`/__motia/jobs/${encodeURIComponent(selected)}/${action}`)
      note.textContent = action === 'retry' ? 'Job queued again' : 'Job cancelled'
    } catch (error) {
      note.textContent = error.message
    }
    await refresh()
  }

  let latest = 0
  async function refresh() {
    // Live events can start refreshes faster than they finish: only the newest one draws.
    const mine = ++latest
    const query = { status: filter.status, step: filter.step, topic: filter.topic, search: filter.search, limit: PAGE, offset: filter.offset }
    const [nextStats, { jobs, total }, job] = await Promise.all([
      getJson('/__motia/jobs/stats'),
      getJson('/__motia/jobs', query),
      selected ? getJson(`/__motia/jobs/${encodeURIComponent(selected)}`).catch(() => null) : null,
    ])
    if (mine !== latest) return
    stats = nextStats
    fill(cards, ...statCards(stats, filter.status, (status) => apply({ status })))
    fill(byStepBody, byStepTable(stats, (step) => apply({ step }), series) ?? h('p', { class: 'muted' }, 'No jobs yet.'))
    const steps = Object.keys(stats.byStep).sort()
    if (filter.step && !steps.includes(filter.step)) steps.push(filter.step)
    setOptions(stepPicker, [['', 'All steps'], ...steps], filter.step)
    const dead = filter.step ? (stats.byStep[filter.step]?.dead ?? 0) : stats.byStatus.dead
    replay.textContent = `Replay ${plural(dead, 'dead job')}${filter.step ? ` of ${filter.step}` : ''}`
    replay.disabled = dead === 0
    fill(
      table,
      jobs.length
        ? h(
            'table',
            { class: 'grid-table job-table' },
            h('thead', {}, h('tr', {}, ['Status', 'Step', 'Topic', 'Attempts', 'Created', 'Last error', 'Id'].map((title) => h('th', {}, title)))),
            h('tbody', {}, jobs.map((item) => jobRow(item, selected, open))),
          )
        : empty('No jobs match', 'Jobs appear when an event step receives an event.'),
    )
    fill(
      pager,
      h('span', { class: 'muted' }, total ? `${filter.offset + 1}–${filter.offset + jobs.length} of ${total}` : ''),
      filter.offset > 0 ? h('button', { class: 'button small', type: 'button', onClick: () => apply({ offset: Math.max(0, filter.offset - PAGE) }) }, 'Newer') : null,
      filter.offset + jobs.length < total ? h('button', { class: 'button small', type: 'button', onClick: () => apply({ offset: filter.offset + PAGE }) }, 'Older') : null,
    )
    side.classList.toggle('open', Boolean(job))
    fill(side, job ? jobDetail(job, act, () => open(null)) : h('aside', { class: 'details hint' }, h('h2', {}, 'Select a job'), h('p', { class: 'muted' }, 'Click a row to see its payload and every failed attempt, and to retry or cancel it.')))
  }

  const fromRoute = (next) => {
    filter.status = next.params.get('status') ?? ''
    filter.step = next.params.get('step') ?? ''
    filter.offset = 0
    selected = next.params.get('id') ?? selected
    statusPicker.value = filter.status
  }
  fromRoute(route)
  const later = debounce(() => void refresh(), 200)
  const drawSparks = (next) => {
    series = next
    for (const cell of byStepBody.querySelectorAll('td[data-spark]')) fill(cell, stepSpark(series, cell.dataset.spark))
  }
  const stops = [onLive('jobs', later), onLive('reconnect', later), watchMetrics(drawSparks)]
  void refresh()
  return {
    update(next) {
      fromRoute(next)
      void refresh()
    },
    destroy() {
      for (const stop of stops) stop()
    },
  }
}
