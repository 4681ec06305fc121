/**
 * A client of the stream socket (Motia's protocol, on this server's port): join a group, get its
 * sync and then every change; reconnects after 2 s and joins again, which answers with a fresh sync.
 */
export function openStreamSocket({ onFrame, onStatus }) {
  const subscriptions = new Map()
  let socket
  let closed = false
  let retry

  function send(type, sub) {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type, data: sub }))
  }

  function open() {
    socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/__motia/streams/socket')
    socket.addEventListener('open', () => {
      onStatus('live')
      for (const sub of subscriptions.values()) send('join', sub)
    })
    socket.addEventListener('message', (event) => {
      let frame
      try {
        frame = JSON.parse(event.data)
      } catch {
        return
      }
      for (const sub of subscriptions.values()) {
        if (sub.streamName === frame.streamName && sub.groupId === frame.groupId) onFrame(sub.subscriptionId, frame)
      }
    })
    socket.addEventListener('close', () => {
      if (closed) return
      onStatus('lost')
      retry = setTimeout(open, 2000)
    })
  }

  open()
  return {
    /** Subscribes to a group; returns its subscription id. */
    joinGroup(streamName, groupId) {
      const sub = { streamName, groupId, subscriptionId: crypto.randomUUID() }
      subscriptions.set(sub.subscriptionId, sub)
      send('join', sub)
      return sub.subscriptionId
    },
    leave(subscriptionId) {
      const sub = subscriptions.get(subscriptionId)
      if (!sub) return
      subscriptions.delete(subscriptionId)
      send('leave', sub)
    },
    close() {
      closed = true
      clearTimeout(retry)
      socket?.close()
    },
  }
}
