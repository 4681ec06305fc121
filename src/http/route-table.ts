import { type RequestHandler, Router } from 'express'
import type { Step } from '../steps/step.ts'

/** API routes that can be swapped while the server runs (hot reload mounts through it). */
export interface RouteTable {
  mount(step: Step): void
  unmount(step: Step): void
  routes(): { method: string; path: string; step: string }[]
  /** The express middleware that serves the current routes. */
  handler: RequestHandler
}

/** Static segments win over parameters, so `/jobs/stats` is tried before `/jobs/:id`. */
function specificity(path: string): [number, number] {
  const params = path.split('/').filter((segment) => segment.startsWith(':') || segment.startsWith('*')).length
  return [params, -path.length]
}

/** API steps in the order routes are tried: fewer parameters first, then longer paths. */
export function byRoutePrecedence(steps: Step[]): Step[] {
  const pathOf = (step: Step) => (step.config.type === 'api' ? step.config.path : '')
  return steps.sort((a, b) => {
    const [pa, la] = specificity(pathOf(a))
    const [pb, lb] = specificity(pathOf(b))
    return pa - pb || la - lb
  })
}

/** Creates a route table; `toHandler` turns an API step into its express handler. */
export function createRouteTable(toHandler: (step: Step) => RequestHandler): RouteTable {
  const mounted = new Map<string, Step>()
  let router: Router | null = null

  function build(): Router {
    const next = Router()
    for (const step of byRoutePrecedence([...mounted.values()])) {
      if (step.config.type !== 'api') continue
      const method = step.config.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options'
      next[method](step.config.path, toHandler(step))
    }
    return next
  }

  return {
    mount(step) {
      mounted.set(step.name, step)
      router = null
    },
    unmount(step) {
      mounted.delete(step.name)
      router = null
    },
    routes() {
      return [...mounted.values()].flatMap((step) =>
        step.config.type === 'api' ? [{ method: step.config.method, path: step.config.path, step: step.name }] : [],
      )
    },
    handler(req, res, next) {
      router ??= build()
      router(req, res, next)
    },
  }
}
