import { getJson } from '../lib/api.js'
import { debounce, empty, fill, fmtTime, h, plural } from '../lib/dom.js'
import { jsonInline, jsonView } from '../lib/json-view.js'
import { onLive } from '../lib/live.js'
import { openStreamSocket } from '../lib/stream-socket.js'

const MAX_EVENTS = 100

/** Streams: each stream, its groups (listed by the server), a group's items live, and the custom events sent to it. */
export function mount(root, route) {
  let name = route.arg
  let group = route.params.get('group')
  let streams = []
  let groups = []
  let items = []
  let events = []
  let subscription = null
  let status = 'connecting'
  const streamList = h('nav', { class: 'list stream-list', 'aria-label': 'streams' })
  const groupList = h('nav', { class: 'list group-list', 'aria-label': 'stream groups' })
  const main = h('div', { class: 'state-pane' })
  root.append(
    h(
      'section',
      { class: 'two-pane state' },
      h('aside', { class: 'pane-list' }, h('div', { class: 'pane-title' }, 'Streams'), streamList, h('div', { class: 'pane-title' }, 'Groups'), groupList),
      main,
    ),
  )

  const socket = openStreamSocket({
    onStatus(next) {
      status = next
      draw()
    },
    onFrame(id, frame) {
      if (id !== subscription) return
      apply(frame.event)
      draw()
    },
  })

  function apply(event) {
    if (event.type === 'sync') items = Array.isArray(event.data) ? event.data : []
    else if (event.type === 'create' || event.type === 'update') {
      const at = items.findIndex((item) => item.id === event.data.id)
      if (at >= 0) items[at] = event.data
      else items.push(event.data)
    } else if (event.type === 'delete') items = items.filter((item) => item.id !== event.data.id)
    else if (event.type === 'event') events = [{ at: Date.now(), ...event.event }, ...events].slice(0, MAX_EVENTS)
  }

  function href(stream, inGroup) {
    return `#/streams/${encodeURIComponent(stream)}${inGroup ? `?group=${encodeURIComponent(inGroup)}` : ''}`
  }

  function drawLists() {
    fill(streamList, ...streams.map((stream) => h('a', { class: ['list-item', stream.name === name && 'active'], href: href(stream.name), 'data-stream': stream.name }, h('span', { class: 'mono' }, stream.name), h('span', { class: 'muted' }, stream.file))))
    if (!streams.length) streamList.append(empty('No streams', 'Add a *.stream.ts file under steps/ or src/.'))
    fill(groupList, ...groups.map((each) => h('a', { class: ['list-item', each === group && 'active'], href: href(name, each), 'data-group': each }, h('span', { class: 'mono' }, each))))
    if (name && !groups.length) groupList.append(empty('No groups yet', 'Groups appear once a handler sets an item.'))
  }

  function draw() {
    if (!name || !group) {
      fill(main, empty(name ? 'Pick a group' : 'Pick a stream', 'Items update live as handlers write them; custom events show as they are sent.'))
      return
    }
    fill(
      main,
      h('div', { class: 'toolbar' }, h('h2', { class: 'mono' }, `${name} / ${group}`), h('span', { class: 'muted', 'data-count': items.length }, plural(items.length, 'item')), h('span', { class: 'spacer' }), h('span', { class: 'muted', 'data-socket': status }, status === 'live' ? 'live' : 'reconnecting…')),
      items.length
        ? h('div', { class: 'entries', 'data-items': '' }, items.map((item) => h('details', { class: 'entry', 'data-item': item.id }, h('summary', {}, h('span', { class: 'entry-key mono' }, item.id), h('span', { class: 'entry-preview mono muted' }, jsonInline(item, 180))), jsonView(item))))
        : empty('This group is empty'),
      h('div', { class: 'pane-title' }, 'Custom events'),
      events.length
        ? h('div', { class: 'entries', 'data-events': '' }, events.map((event) => h('div', { class: 'entry', 'data-event': event.type }, h('span', { class: 'muted' }, fmtTime(event.at)), ' ', h('strong', {}, event.type), ' ', h('span', { class: 'mono muted' }, jsonInline(event.data, 180)))))
        : empty('No custom events yet', 'Events sent with ctx.streams.<name>.send() show here as they arrive.'),
    )
  }

  async function loadStreams() {
    ;({ streams } = await getJson('/__motia/streams'))
    drawLists()
  }

  async function loadGroups() {
    groups = name ? (await getJson(`/__motia/streams/${encodeURIComponent(name)}/groups`)).groups : []
    drawLists()
  }

  function follow() {
    if (subscription) socket.leave(subscription)
    subscription = null
    items = []
    events = []
    if (name && group) subscription = socket.joinGroup(name, group)
    draw()
  }

  const refreshGroups = debounce(() => void loadGroups(), 300)
  const stops = [
    onLive('streams', ({ streams: touched }) => touched.includes(name) && refreshGroups()),
    onLive('graph', () => void loadStreams()),
    onLive('reconnect', () => void Promise.all([loadStreams(), loadGroups()])),
  ]
  void Promise.all([loadStreams(), loadGroups()])
  follow()
  return {
    update(next) {
      const changedStream = next.arg !== name
      name = next.arg
      group = next.params.get('group')
      if (changedStream) void loadGroups()
      drawLists()
      follow()
    },
    destroy() {
      for (const stop of stops) stop()
      socket.close()
    },
  }
}
