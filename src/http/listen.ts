import { once } from 'node:events'
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** A listening HTTP server that can be closed with its open connections. */
export interface HttpServer {
  url: string
  port: number
  /** The node server, for what shares its port (the stream socket). */
  server: Server
  close(): Promise<void>
}

/**
 * Starts listening, with `options` for the node server (the classes of its requests and responses);
 * `close()` stops accepting, destroys idle and open sockets, and resolves when done.
 */
export async function listen(listener: RequestListener, port: number, host: string, options: ServerOptions = {}): Promise<HttpServer> {
  const server = createServer(options, listener).listen(port, host)
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error
    }),
  ])
  const address = server.address() as AddressInfo
  const shownHost = host.includes(':') ? `[${host}]` : host
  let closed: Promise<void> | undefined
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    server,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closed
    },
  }
}
