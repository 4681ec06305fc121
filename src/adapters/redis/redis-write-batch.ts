import type { Redis } from 'ioredis'

/**
 * Returns a function that holds a connection's writes until the end of the current turn of the
 * event loop. ioredis writes each command to the socket at once, a system call per command; a
 * fan-out (every emit of a `Promise.all`) then costs a write per job. Corked, the commands issued in
 * the same turn leave together in a few writev calls. Nothing waits longer than that turn: the
 * socket is uncorked from setImmediate, after the promise callbacks that issue the commands.
 */
export function createWriteBatcher(client: Redis): () => void {
  let corked = false
  return () => {
    const stream = client.stream
    // Not yet connected or reconnecting: ioredis fails or queues the command itself.
    if (corked || !stream?.writable) return
    corked = true
    stream.cork()
    setImmediate(() => {
      corked = false
      stream.uncork()
    })
  }
}
