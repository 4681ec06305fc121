/**
 * The live stream from GET /__motia/events (Server-Sent Events). Views subscribe to event types:
 * graph, jobs, logs, traces, state, streams, metrics; and `reconnect`, after the stream came back, to refetch what
 * they show (a restarted server keeps nothing of the old stream).
 */

const listeners = new Map()
let source
let lostOnce = false

function dispatch(type, data) {
  for (const listener of listeners.get(type) ?? []) {
    try {
      listener(data)
    } catch (error) {
      reportError(error)
    }
  }
}

function setState(state, text) {
  const el = document.getElementById('conn')
  if (!el) return
  el.dataset.state = state
  el.querySelector('.conn-text').textContent = text
}

/** Opens the stream once; EventSource reconnects by itself after the server comes back. */
export function connect() {
  if (source) return
  source = new EventSource('/__motia/events')
  source.addEventListener('hello', (event) => {
    const { mode } = JSON.parse(event.data)
    setState('live', `live · ${mode}`)
    if (lostOnce) dispatch('reconnect', {})
  })
  for (const type of ['graph', 'jobs', 'logs', 'traces', 'state', 'streams', 'metrics']) {
    source.addEventListener(type, (event) => dispatch(type, JSON.parse(event.data)))
  }
  source.addEventListener('error', () => {
    lostOnce = true
    setState('lost', 'reconnecting…')
  })
}

/** Calls `listener` with each event of a type; returns the function that stops it. */
export function onLive(type, listener) {
  if (!listeners.has(type)) listeners.set(type, new Set())
  listeners.get(type).add(listener)
  return () => listeners.get(type).delete(listener)
}
