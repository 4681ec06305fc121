import { type RequestHandler, Router } from 'express'
import type { Runtime } from '../runtime/create-runtime.ts'
import { toApiHandler } from './api-handler.ts'

/** The express middleware that serves the runtime's API steps, rebuilt when hot reload changed them. */
export function createRouteHandler(runtime: Runtime): RequestHandler {
  let router: Router | null = null
  let builtAt = -1

  function build(): Router {
    const next = Router()
    for (const step of runtime.apiSteps.list()) {
      if (step.config.type !== 'api') continue
      const method = step.config.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options'
      next[method](step.config.path, toApiHandler(step, runtime.createContext, runtime.invocations))
    }
    return next
  }

  return (req, res, next) => {
    if (builtAt !== runtime.apiSteps.version) {
      router = build()
      builtAt = runtime.apiSteps.version
    }
    ;(router as Router)(req, res, next)
  }
}
