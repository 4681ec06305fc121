import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { StreamFrameCount, StreamSocketOptions, StreamSocketServer } from '../streams/stream-socket-server.ts'

/**
 * The stream socket server, loaded with `ws` by the first WebSocket upgrade: a server no stream
 * client ever reaches does not hold them in memory. Upgrades that arrive while it loads are handed
 * to it once it is attached.
 */
export function attachStreamSocketLazily(server: Server, options: StreamSocketOptions): StreamSocketServer {
  let loading: Promise<StreamSocketServer> | undefined
  let attached: StreamSocketServer | undefined
  let closed = false
  // Frame listeners added before the server is attached, each with what stops it once it is.
  const frameListeners = new Map<(count: StreamFrameCount) => void, (() => void) | undefined>()
  const load = (): Promise<StreamSocketServer> =>
    import('../streams/stream-socket-server.ts').then(({ attachStreamSocket }) => {
      // Before it attaches: from now on its own listener takes every upgrade, the queued ones included.
      server.off('upgrade', onUpgrade)
      const socketServer = attachStreamSocket(server, options)
      attached = socketServer
      for (const listener of frameListeners.keys()) frameListeners.set(listener, socketServer.onFrames(listener))
      return socketServer
    })
  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    loading ??= load()
    loading.then(
      () => {
        if (closed) socket.destroy()
        else server.emit('upgrade', request, socket, head)
      },
      (error: unknown) => {
        options.logger.error('The stream socket server could not start.', { error })
        socket.destroy()
      },
    )
  }
  server.on('upgrade', onUpgrade)
  return {
    get connections() {
      return attached?.connections ?? 0
    },
    get subscriptions() {
      return attached?.subscriptions ?? 0
    },
    onFrames(listener) {
      frameListeners.set(listener, attached?.onFrames(listener))
      return () => {
        frameListeners.get(listener)?.()
        frameListeners.delete(listener)
      }
    },
    async close() {
      closed = true
      server.off('upgrade', onUpgrade)
      await loading?.then((socketServer) => socketServer.close(), () => undefined)
    },
  }
}
