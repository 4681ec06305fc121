import { tracingChannel } from 'node:diagnostics_channel'
import { type RequestHandler, Router } from 'express'
import type { Runtime } from '../runtime/create-runtime.ts'
import { toApiHandler } from './api-handler.ts'

/** What express's router publishes its spans on; while an APM listens, every request goes through the router. */
const routerSpans = tracingChannel('express.router.request')

/** Characters that make a path more than plain text in express 5 (parameters, wildcards, optional parts, escapes). */
const PATTERN = /[:*?+!(){}[\]\\]/

/** Methods a plain-path hit may serve; HEAD and OPTIONS get the router's own answers (GET's route, the Allow list). */
const DIRECT_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

interface Routes {
  router: Router
  /** The handler of each plain path the router would pick first, by method, then path with its trailing slashes removed. */
  plain: Map<string, Map<string, RequestHandler>>
}

/** The runtime's API steps as express serves them, rebuilt when hot reload changed them. */
export interface RouteTable {
  /** express middleware serving every API step: a plain path straight to its step, the rest through the Router. */
  handle: RequestHandler
  /**
   * The handler of the plain-path step a request goes straight to (set `req.params` to `{}` before
   * calling it), or undefined when the Router decides: a pattern, HEAD, OPTIONS, or an APM listening.
   */
  find(method: string, path: string): RequestHandler | undefined
}

/** The path the router matches a route path against: without trailing slashes (one is optional in a request), except `/`. */
function toLoosePath(path: string): string {
  return path === '/' ? path : path.replace(/\/+$/, '')
}

/**
 * The handler a plain path hit goes to, or undefined: exact text (the router ignores case, so other
 * spellings go to it), with one optional trailing slash, as the router reads `path`.
 */
function findPlain(plain: Map<string, Map<string, RequestHandler>>, method: string, path: string): RequestHandler | undefined {
  const paths = plain.get(method)
  if (!paths) return undefined
  const found = paths.get(path)
  if (found || path.length < 3 || path.charCodeAt(path.length - 1) !== 47 || path.charCodeAt(path.length - 2) === 47) return found
  return paths.get(path.slice(0, -1))
}

/**
 * The route table of the runtime's API steps. A request for a plain path (no parameters) goes straight
 * to its step's handler; the router serves the rest: a nested express Router costs about as much as the
 * rest of a small request.
 */
export function createRouteTable(runtime: Runtime): RouteTable {
  let routes: Routes | null = null
  let builtAt = -1

  function build(): Routes {
    const router = Router()
    const plain = new Map<string, Map<string, RequestHandler>>()
    // A plain path is served directly only while every route tried before it is plain too, so the
    // router would reach it first; the router ignores case, so spellings differing only in case count as taken.
    const taken = new Set<string>()
    let allPlain = true
    for (const step of runtime.apiSteps.list()) {
      if (step.config.type !== 'api') continue
      const { path } = step.config
      const method = step.config.method.toUpperCase()
      const handler = toApiHandler(step, runtime.createContext, runtime.invocations)
      router[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options'](path, handler)
      allPlain &&= !PATTERN.test(path)
      if (!allPlain || !DIRECT_METHODS.has(method)) continue
      const loose = toLoosePath(path)
      const key = `${method} ${loose.toLowerCase()}`
      if (taken.has(key)) continue
      taken.add(key)
      let paths = plain.get(method)
      if (!paths) plain.set(method, (paths = new Map()))
      paths.set(loose, handler)
    }
    return { router, plain }
  }

  function current(): Routes {
    if (builtAt !== runtime.apiSteps.version) {
      routes = build()
      builtAt = runtime.apiSteps.version
    }
    return routes as Routes
  }

  function find(method: string, path: string): RequestHandler | undefined {
    const { plain } = current()
    return plain.size > 0 && !routerSpans.hasSubscribers ? findPlain(plain, method, path) : undefined
  }

  return {
    find,
    handle(req, res, next) {
      const handler = find(req.method, req.path)
      if (!handler) {
        current().router(req, res, next)
        return
      }
      req.params = {}
      void handler(req, res, next)
    },
  }
}
