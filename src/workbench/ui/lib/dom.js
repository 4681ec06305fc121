/** Small DOM helpers: every text a step or a user produced is set as text, never parsed as HTML. */

const SVG_NS = 'http://www.w3.org/2000/svg'

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.append(child instanceof Node ? child : String(child))
  }
}

function assign(el, props) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value)
    else if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value)
    else if (key === 'value' && 'value' in el) el.value = value
    else if (key === 'checked' || key === 'selected' || key === 'disabled') el[key] = Boolean(value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  return el
}

/** Creates an HTML element: h('a', { href, class, onClick }, 'text', child, [more]). */
export function h(tag, props, ...children) {
  const el = assign(document.createElement(tag), props)
  append(el, children)
  return el
}

/** Creates an SVG element. */
export function s(tag, props, ...children) {
  const el = assign(document.createElementNS(SVG_NS, tag), props)
  append(el, children)
  return el
}

/** Milliseconds as people read them: 0.4 ms, 12 ms, 1.25 s, 2 min 5 s. */
export function fmtMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–'
  if (ms === 0) return '0 ms'
  if (ms < 1) return `${ms.toFixed(1)} ms`
  if (ms < 100) return `${ms.toFixed(1).replace(/\.0$/, '')} ms`
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(2).replace(/0$/, '')} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** Time of day with milliseconds. */
export function fmtTime(at) {
  const d = new Date(at)
  const pad = (n, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** How long ago, coarse: "just now", "12 s ago", "3 min ago". */
export function fmtAgo(at) {
  const seconds = Math.max(0, Math.round((Date.now() - at) / 1000))
  if (seconds < 3) return 'just now'
  if (seconds < 60) return `${seconds} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`
  return new Date(at).toLocaleString()
}

/** The first 8 characters of an id, enough to tell ids apart on a screen. */
export function shortId(id) {
  return String(id ?? '').slice(0, 8)
}

/** Calls `fn` once, `ms` after the last of a burst of calls. */
export function debounce(fn, ms) {
  let timer
  return (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
}

/** A labelled empty state for a panel with nothing to show. */
export function empty(title, hint) {
  return h('div', { class: 'empty' }, h('div', { class: 'empty-title' }, title), hint ? h('div', { class: 'empty-hint' }, hint) : null)
}

/** A select element; options are [value, label] pairs or strings. */
export function select(props, options, selected) {
  return setOptions(h('select', props), options, selected)
}

/** Replaces the options of a select: each a value, or a [value, label] pair. */
export function setOptions(el, options, selected) {
  return fill(el, ...options.map((option) => {
    const [value, label] = Array.isArray(option) ? option : [option, option]
    return h('option', { value, selected: value === selected }, label)
  }))
}

/** Replaces the children of `el`, skipping null, undefined and false as `h` does. */
export function fill(el, ...children) {
  el.replaceChildren()
  append(el, children)
  return el
}

/** "1 step", "3 steps"; `many` for words that do not just take an s. */
export function plural(count, word, many = `${word}s`) {
  return `${count} ${count === 1 ? word : many}`
}
