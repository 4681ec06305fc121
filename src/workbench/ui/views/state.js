import { getJson } from '../lib/api.js'
import { debounce, empty, fill, h, plural } from '../lib/dom.js'
import { jsonInline, jsonView } from '../lib/json-view.js'
import { onLive } from '../lib/live.js'

const PAGE = 100

/** State: the groups of the state store and the keys and values of one group, a page at a time. */
export function mount(root, route) {
  let group = route.arg
  let groups = []
  let moreGroups = null
  let items = []
  let moreItems = null
  let filterText = ''
  const list = h('nav', { class: 'list group-list', 'aria-label': 'state groups' })
  const main = h('div', { class: 'state-pane' })
  const filter = h('input', { class: 'input grow', type: 'search', placeholder: 'Filter keys and values…', 'aria-label': 'filter entries' })
  root.append(h('section', { class: 'two-pane state' }, h('aside', { class: 'pane-list' }, h('div', { class: 'pane-title' }, 'Groups'), list), main))
  filter.addEventListener('input', () => {
    // The group is already loaded: typing filters it here, without asking the server again.
    filterText = filter.value.toLowerCase()
    drawGroup()
  })

  function drawList() {
    fill(
      list,
      ...groups.map((name) => h('a', { class: ['list-item', name === group && 'active'], href: `#/state/${encodeURIComponent(name)}`, 'data-group': name }, h('span', { class: 'mono' }, name))),
    )
    if (!groups.length) list.append(empty('State is empty', 'Groups appear once a handler calls state.set.'))
    if (moreGroups) list.append(h('button', { class: 'button', type: 'button', 'data-action': 'more-groups', onClick: () => void loadMoreGroups() }, 'More groups'))
  }

  async function loadGroups() {
    ;({ groups, nextCursor: moreGroups } = await getJson('/__motia/state'))
    drawList()
  }

  async function loadMoreGroups() {
    const page = await getJson('/__motia/state', { cursor: moreGroups })
    groups = [...groups, ...page.groups]
    moreGroups = page.nextCursor
    drawList()
  }

  /** Reloads the keys shown so far (at least one page), so a live refresh keeps what "More keys" added. */
  async function loadGroup() {
    if (group) ({ items, nextCursor: moreItems } = await getJson(`/__motia/state/${encodeURIComponent(group)}`, { limit: Math.min(Math.max(items.length, PAGE), 1000) }))
    drawGroup()
  }

  async function loadMoreItems() {
    const page = await getJson(`/__motia/state/${encodeURIComponent(group)}`, { limit: PAGE, cursor: moreItems })
    items = [...items, ...page.items]
    moreItems = page.nextCursor
    drawGroup()
  }

  function drawGroup() {
    if (!group) {
      fill(main, empty('Pick a group', 'Handlers keep JSON values by group and key.'))
      return
    }
    const shown = filterText ? items.filter((item) => `${item.key} ${JSON.stringify(item.value)}`.toLowerCase().includes(filterText)) : items
    fill(
      main,
      h(
        'div',
        { class: 'toolbar' },
        h('h2', { class: 'mono' }, group),
        h('span', { class: 'muted' }, moreItems ? `first ${plural(items.length, 'key')}` : plural(items.length, 'key')),
        h('span', { class: 'spacer' }),
        filter,
      ),
      shown.length
        ? h(
            'div',
            { class: 'entries' },
            shown.map((item) =>
              h(
                'details',
                { class: 'entry', 'data-key': item.key },
                h('summary', {}, h('span', { class: 'entry-key mono' }, item.key), h('span', { class: 'entry-preview mono muted' }, jsonInline(item.value, 180))),
                jsonView(item.value),
              ),
            ),
          )
        : empty(items.length ? 'No entries match' : 'This group is empty'),
      moreItems ? h('button', { class: 'button', type: 'button', 'data-action': 'more-keys', onClick: () => void loadMoreItems() }, `More keys (${PAGE} more)`) : null,
    )
    if (filterText) filter.focus()
  }

  const refreshGroup = debounce(() => void loadGroup(), 150)
  const refreshGroups = debounce(() => void loadGroups(), 300)
  const stops = [
    onLive('state', ({ groups: touched }) => {
      refreshGroups()
      if (touched.includes(group)) refreshGroup()
    }),
    onLive('reconnect', () => void Promise.all([loadGroups(), loadGroup()])),
  ]
  void Promise.all([loadGroups(), loadGroup()])
  return {
    update(next) {
      if (next.arg !== group) items = []
      group = next.arg
      drawList()
      void loadGroup()
    },
    destroy() {
      for (const stop of stops) stop()
    },
  }
}
