import { timingSafeEqual } from 'node:crypto'
import type { Request, RequestHandler } from 'express'

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

function hasToken(req: Request, token: string): boolean {
  const header = req.get('authorization') ?? ''
  const given = Buffer.from(header.replace(/^Bearer\s+/i, ''))
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** True when the request may see admin data: from loopback, or with the admin token. */
export function isAuthorized(req: Request, token: string | undefined): boolean {
  if (token && hasToken(req, token)) return true
  return loopback.has(req.socket.remoteAddress ?? '')
}

/**
 * Guards admin endpoints and POST /emit in `start` mode: loopback callers, or callers with
 * `Authorization: Bearer $MOTIA_ADMIN_TOKEN`. Everyone else gets 401.
 */
export function createAdminGuard(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (isAuthorized(req, token)) {
      next()
      return
    }
    res.status(401).json({
      error: token
        ? 'Admin endpoints need "Authorization: Bearer <MOTIA_ADMIN_TOKEN>".'
        : 'Admin endpoints answer only on loopback. Set MOTIA_ADMIN_TOKEN to reach them from the network.',
    })
  }
}
