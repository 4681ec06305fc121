import { h } from './dom.js'

/** Pretty JSON with colored keys, strings, numbers and literals, built as text nodes. */
export function jsonView(value, props = {}) {
  const pre = h('pre', { ...props, class: ['json', props.class] })
  write(pre, value, 0)
  return pre
}

function token(pre, cls, text) {
  pre.append(h('span', { class: cls }, text))
}

function write(pre, value, depth) {
  const pad = '  '.repeat(depth + 1)
  const end = '  '.repeat(depth)
  if (value === null || typeof value === 'boolean') return token(pre, 'j-lit', String(value))
  if (typeof value === 'number') return token(pre, 'j-num', String(value))
  if (typeof value === 'string') return token(pre, 'j-str', JSON.stringify(value))
  if (Array.isArray(value)) {
    if (value.length === 0) return pre.append('[]')
    pre.append('[\n')
    value.forEach((item, index) => {
      pre.append(pad)
      write(pre, item, depth + 1)
      pre.append(index < value.length - 1 ? ',\n' : '\n')
    })
    return pre.append(`${end}]`)
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value)
    if (keys.length === 0) return pre.append('{}')
    pre.append('{\n')
    keys.forEach((key, index) => {
      pre.append(pad)
      token(pre, 'j-key', JSON.stringify(key))
      pre.append(': ')
      write(pre, value[key], depth + 1)
      pre.append(index < keys.length - 1 ? ',\n' : '\n')
    })
    return pre.append(`${end}}`)
  }
  return pre.append(String(value))
}

/** One line of JSON, shortened to `max` characters, for tables and log rows. */
export function jsonInline(value, max = 160) {
  let text
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value)
  } catch {
    text = String(value)
  }
  if (text === undefined) return ''
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
