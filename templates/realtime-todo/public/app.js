// A page that shows one board's tasks live. It speaks the stream protocol of Motia's clients over
// this server's own port: join a group, get a `sync` with every item, then each create, update,
// delete and custom event as handlers write them. Open it in two windows and add a task in one.
const board = new URLSearchParams(location.search).get('board') || 'home'
const subscription = { streamName: 'tasks', groupId: board, subscriptionId: crypto.randomUUID() }
let tasks = []

const list = document.getElementById('tasks')
const status = document.getElementById('status')

function render() {
  list.replaceChildren(
    ...tasks.map((task) => {
      const item = document.createElement('li')
      item.dataset.id = task.id
      item.className = task.done ? 'done' : ''
      const box = document.createElement('input')
      box.type = 'checkbox'
      box.checked = task.done
      box.setAttribute('aria-label', `done: ${task.title}`)
      box.addEventListener('change', () => call('POST', `/boards/${board}/tasks/${task.id}/toggle`))
      const title = document.createElement('span')
      title.textContent = task.title
      const remove = document.createElement('button')
      remove.textContent = 'Delete'
      remove.addEventListener('click', () => call('DELETE', `/boards/${board}/tasks/${task.id}`))
      item.append(box, title, remove)
      return item
    }),
  )
}

function apply(event) {
  if (event.type === 'sync') tasks = event.data
  else if (event.type === 'create') tasks = [...tasks.filter((task) => task.id !== event.data.id), event.data]
  else if (event.type === 'update') tasks = tasks.map((task) => (task.id === event.data.id ? event.data : task))
  else if (event.type === 'delete') tasks = tasks.filter((task) => task.id !== event.data.id)
  else if (event.type === 'event' && event.event.type === 'activity') document.getElementById('activity').textContent = event.event.data.message
  render()
}

function connect() {
  const socket = new WebSocket(location.origin.replace(/^http/, 'ws'))
  socket.addEventListener('open', () => {
    status.dataset.state = 'live'
    status.textContent = 'live'
    socket.send(JSON.stringify({ type: 'join', data: subscription }))
  })
  socket.addEventListener('message', (message) => {
    const frame = JSON.parse(message.data)
    if (frame.streamName === 'tasks' && frame.groupId === board) apply(frame.event)
  })
  // Like Motia's clients: try again every 2 s; the join is answered with a fresh sync.
  socket.addEventListener('close', () => {
    status.dataset.state = 'lost'
    status.textContent = 'reconnecting…'
    setTimeout(connect, 2000)
  })
}

async function call(method, path, body) {
  const response = await fetch(path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) })
  if (!response.ok) status.textContent = `${method} ${path} answered ${response.status}`
}

document.getElementById('add').addEventListener('submit', (event) => {
  event.preventDefault()
  const input = document.getElementById('title')
  void call('POST', `/boards/${board}/tasks`, { title: input.value })
  input.value = ''
})

connect()
