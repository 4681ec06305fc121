import { connect } from './lib/live.js'
import { notify } from './lib/notify.js'

const views = {
  flows: () => import('./views/flows.js'),
  endpoints: () => import('./views/endpoints.js'),
  traces: () => import('./views/traces.js'),
  jobs: () => import('./views/jobs.js'),
  metrics: () => import('./views/metrics.js'),
  logs: () => import('./views/logs.js'),
  state: () => import('./views/state.js'),
  streams: () => import('./views/streams.js'),
}

/** The route in the hash: #/name/arg?query. */
function parseHash() {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?')
  const [name = '', ...rest] = path.split('/')
  return {
    name: name in views ? name : 'flows',
    arg: rest.length ? decodeURIComponent(rest.join('/')) : null,
    params: new URLSearchParams(query),
  }
}

let current = null
let routing = Promise.resolve()

async function route() {
  const next = parseHash()
  for (const tab of document.querySelectorAll('#tabs a')) tab.classList.toggle('active', tab.dataset.tab === next.name)
  document.title = `${next.name[0].toUpperCase()}${next.name.slice(1)} · Workbench · motia-like`
  if (current?.name === next.name) {
    current.view.update?.(next)
    return
  }
  current?.view.destroy?.()
  current = null
  const module = await views[next.name]()
  const root = document.getElementById('view')
  root.replaceChildren()
  root.dataset.view = next.name
  current = { name: next.name, view: module.mount(root, next) }
}

// Views load in the background; a call that fails (a server restarting, a rejected action) is shown, not lost.
window.addEventListener('unhandledrejection', (event) => {
  event.preventDefault()
  notify(event.reason instanceof Error ? event.reason.message : String(event.reason))
})

window.addEventListener('hashchange', () => {
  routing = routing.then(route, route)
})
connect()
routing = route()
