import { timingSafeEqual } from 'node:crypto'
import type { Request, RequestHandler } from 'express'

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])
/** Browsers cannot send a bearer header with a page load or an EventSource, so the Workbench keeps the token in this cookie. */
const cookieName = 'motia_admin_token'

function matches(given: string, token: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookieToken(req: Request): string {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === cookieName) return decodeURIComponent(value.join('='))
  }
  return ''
}

function hasToken(req: Request, token: string): boolean {
  return matches((req.get('authorization') ?? '').replace(/^Bearer\s+/i, ''), token) || matches(cookieToken(req), token)
}

/** True when the request may see admin data: from loopback, or with the admin token. */
export function isAuthorized(req: Request, token: string | undefined): boolean {
  if (token && hasToken(req, token)) return true
  return loopback.has(req.socket.remoteAddress ?? '')
}

/**
 * Guards admin endpoints and /emit in `start` mode (mounted at the root): loopback callers, or callers with
 * `Authorization: Bearer $MOTIA_ADMIN_TOKEN`. Everyone else gets 401. Opening
 * `/__motia/workbench/?token=…` stores the token in an HttpOnly, SameSite=Strict cookie for the
 * Workbench's own requests, then redirects to drop it from the address bar.
 */
export function createAdminGuard(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    const given = req.query['token']
    if (token && req.method === 'GET' && req.path.startsWith('/__motia/workbench') && typeof given === 'string' && matches(given, token)) {
      res.cookie(cookieName, token, { httpOnly: true, sameSite: 'strict', path: '/__motia' })
      res.redirect(303, req.path)
      return
    }
    if (isAuthorized(req, token)) {
      next()
      return
    }
    res.status(401).json({
      error: token
        ? 'Admin endpoints need "Authorization: Bearer <MOTIA_ADMIN_TOKEN>" (the Workbench: open /__motia/workbench/?token=<MOTIA_ADMIN_TOKEN> once).'
        : 'Admin endpoints answer only on loopback. Set MOTIA_ADMIN_TOKEN to reach them from the network.',
    })
  }
}
