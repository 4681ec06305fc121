import { h } from './dom.js'

let area

/** Shows a short message at the bottom right for a few seconds: a failed call, a lost connection. */
export function notify(message, kind = 'error') {
  area ??= document.body.appendChild(h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' }))
  const toast = h('div', { class: `toast toast-${kind}` }, message)
  area.append(toast)
  setTimeout(() => toast.remove(), 6000)
}
