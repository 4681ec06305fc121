import cors from 'cors'
import type { RequestHandler } from 'express'
import type { CorsSettings } from '../runtime/cors-settings.ts'
import { isBuiltInPath } from './built-in-path.ts'

/**
 * The CORS layer of the API steps, on the `cors` package: allowed origins get the CORS headers and
 * their preflights an answer. Built-in endpoints are left alone, so a page on another origin can never
 * read them. An OPTIONS request that is no preflight (no Access-Control-Request-Method) goes on to the
 * API step that serves it.
 */
export function createCorsLayer(settings: CorsSettings): RequestHandler {
  const options: cors.CorsOptions = {
    origin: settings.origins === '*' ? '*' : [...settings.origins],
    credentials: settings.credentials ?? false,
    exposedHeaders: [...(settings.exposedHeaders ?? ['x-trace-id'])],
    ...(settings.methods ? { methods: [...settings.methods] } : {}),
    ...(settings.allowedHeaders ? { allowedHeaders: [...settings.allowedHeaders] } : {}),
    ...(settings.maxAge !== undefined ? { maxAge: settings.maxAge } : {}),
  }
  const answer = cors(options)
  const passOn = cors({ ...options, preflightContinue: true })
  return (req, res, next) => {
    if (isBuiltInPath(req.path)) next()
    else if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] === undefined) passOn(req, res, next)
    else answer(req, res, next)
  }
}
