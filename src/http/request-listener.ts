import { IncomingMessage, type RequestListener, ServerResponse, type ServerOptions } from 'node:http'
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express'

/** What a request express need not dispatch goes through. */
export interface DirectRoutes {
  /** The API step handler a request goes straight to, or undefined for express to dispatch it. */
  find(method: string, path: string): RequestHandler | undefined
  /** The body parsers, run before the handler as in the app. */
  parseBody: RequestHandler
  /** The app's error layer: a failure of the parsers or the handler ends here, as in the app. */
  errors: ErrorRequestHandler
}

/** The server options that make its requests and responses: see appMessages. */
export type MessageOptions = Required<Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'>>

/**
 * Classes for the HTTP server that make each request and response with the app's methods from the
 * start, and that become the app's `request` and `response` (their prototypes inherit the ones express
 * made, so what those hold, and what is added to them later, is inherited as before). express sets
 * `app.request` and `app.response` as each request's and response's prototype, which then changes
 * nothing. Changed on every request, a prototype leaves each object with a map of its own: every read
 * of a request's or response's property, by any code, then misses its inline cache and looks the
 * property up again (a GET answering a small body ran about 500,000 instructions on the main thread
 * that way, and about 110,000 with these).
 */
export function appMessages(app: Express): MessageOptions {
  class AppRequest extends IncomingMessage {}
  Object.setPrototypeOf(AppRequest.prototype, app.request)
  class AppResponse extends ServerResponse {}
  Object.setPrototypeOf(AppResponse.prototype, app.response)
  app.request = AppRequest.prototype as Request
  app.response = AppResponse.prototype as unknown as Response
  return { IncomingMessage: AppRequest, ServerResponse: AppResponse as unknown as MessageOptions['ServerResponse'] }
}

/**
 * What express's app sets on every request before its router: the two linked, its methods (already
 * there when the server made them, see appMessages), `res.locals`.
 */
function toExpress(app: Express, incoming: IncomingMessage, outgoing: ServerResponse): { req: Request; res: Response } {
  const req = incoming as Request
  const res = outgoing as Response
  req.res = res
  res.req = req
  if (Object.getPrototypeOf(req) !== app.request) Object.setPrototypeOf(req, app.request)
  if (Object.getPrototypeOf(res) !== app.response) Object.setPrototypeOf(res, app.response)
  res.locals ??= Object.create(null)
  return { req, res }
}

/**
 * The server's request listener: the express app, with `direct` routes in front of it when nothing may
 * see an API step's request first. express's dispatch (the app's final handler, the router's closures
 * and layer walk) costs about a tenth of a small request, so a request `direct.find` knows skips it:
 * it gets what the app and its router would set (see toExpress; `originalUrl`, `baseUrl`, `params`),
 * then the body parsers, the handler and, on a failure, the error layer, as in the app.
 */
export function createRequestListener(app: Express, direct?: DirectRoutes): RequestListener {
  if (!direct) return app
  const { find, parseBody, errors } = direct
  return (incoming, outgoing) => {
    const { req, res } = toExpress(app, incoming, outgoing)
    const handler = find(req.method, req.path)
    if (!handler) {
      app(req, res)
      return
    }
    req.originalUrl = req.url
    req.baseUrl = ''
    req.params = {}
    // The error layer passes on only a failure it cannot answer, the response being under way:
    // express's final handler then cuts the connection, and so does this.
    const fail = (error: unknown): void => {
      errors(error, req, res, () => {
        res.destroy()
      })
    }
    // As express's layers do, a throw is a failure passed on, never a crash.
    const run = (error?: unknown): void => {
      if (error !== undefined) {
        fail(error)
        return
      }
      try {
        handler(req, res, fail)
      } catch (thrown) {
        fail(thrown)
      }
    }
    try {
      parseBody(req, res, run)
    } catch (error) {
      fail(error)
    }
  }
}
