import type { Request, RequestHandler } from 'express'
import type { Logger } from '../types.ts'
import { isSameToken, setTokenCookie, toBearerToken, toCookieToken } from './admin-token.ts'
import {
  isAddressHost,
  isChangingMethod,
  isLoopbackCaller,
  isLoopbackHost,
  toCrossSiteReason,
  toNonJsonReason,
} from './request-origin.ts'

export interface AdminGuardOptions {
  /** `start` trusts loopback callers at a loopback Host; `dev` trusts any caller at a loopback or IP-address Host. */
  mode: 'dev' | 'start'
  token: string | undefined
  /** Ask every caller for the token, loopback included (behind a reverse proxy on the same host, every caller is loopback). */
  requireToken: boolean
  logger: Logger
}

/** The guard of the built-in endpoints, and the test of the token that decides who sees job stacks. */
export interface AdminAccess {
  guard: RequestHandler
  /** True when the request carries the admin token (header or cookie). */
  hasToken(req: Request): boolean
  /** True when the guard would let this caller read admin data: by the token, or by where it is. */
  admits(req: Request): boolean
}

/**
 * Guards `POST /emit` and `/__motia/*`. Requests that change something must come from this server's own
 * pages (not another site's, by `Origin` and `Sec-Fetch-Site`) with a JSON body, so a web page cannot
 * post a form to them. Then a caller needs `Authorization: Bearer $MOTIA_ADMIN_TOKEN` (or the cookie)
 * unless trusted by where it is, and only at a Host no DNS answer can redirect (DNS rebinding). Opening
 * `/__motia/workbench/?token=…` stores the token in an HttpOnly, SameSite=Strict cookie for the
 * Workbench's own requests, then redirects to drop it from the address bar.
 */
export function createAdminGuard(options: AdminGuardOptions): AdminAccess {
  const { token, requireToken, logger } = options

  const hasToken = (req: Request): boolean => {
    if (!token) return false
    const cookie = toCookieToken(req)
    return isSameToken(toBearerToken(req), token) || (cookie.kind === 'token' && isSameToken(cookie.value, token))
  }
  const trustedByPlace = (req: Request): boolean => {
    if (requireToken) return false
    if (options.mode === 'dev') return isLoopbackHost(req) || isAddressHost(req)
    return isLoopbackCaller(req) && isLoopbackHost(req)
  }
  const place = options.mode === 'dev' ? 'at Host localhost, 127.0.0.1, [::1] or an IP address' : 'to loopback callers at Host localhost, 127.0.0.1 or [::1]'
  const refusal = (req: Request): string => {
    if (toCookieToken(req).kind === 'malformed') {
      return 'The motia_admin_token cookie is not valid percent-encoding. Open /__motia/workbench/?token=<MOTIA_ADMIN_TOKEN> again to replace it.'
    }
    if (!token) {
      return requireToken
        ? 'Admin endpoints require a token and none is set. Set MOTIA_ADMIN_TOKEN and send "Authorization: Bearer <MOTIA_ADMIN_TOKEN>".'
        : `Admin endpoints answer only ${place} (this request: Host ${JSON.stringify(req.get('host') ?? '')}). Set MOTIA_ADMIN_TOKEN to reach them otherwise.`
    }
    return 'Admin endpoints need "Authorization: Bearer <MOTIA_ADMIN_TOKEN>" (the Workbench: open /__motia/workbench/?token=<MOTIA_ADMIN_TOKEN> once).'
  }

  const guard: RequestHandler = (req, res, next) => {
    if (isChangingMethod(req)) {
      const crossSite = toCrossSiteReason(req)
      if (crossSite) {
        logger.warn(`Refused ${req.method} ${req.path} from another site: ${crossSite}.`, { method: req.method, path: req.path })
        res.status(403).json({ error: `Built-in endpoints do not take requests from other sites' pages (${crossSite}). Send it from the Workbench, the CLI or a server-side client.` })
        return
      }
      const nonJson = toNonJsonReason(req)
      if (nonJson) {
        res.status(415).json({ error: `Built-in endpoints take JSON bodies only (${nonJson}). Send "Content-Type: application/json".` })
        return
      }
    }
    const given = req.query['token']
    if (token && req.method === 'GET' && req.path.startsWith('/__motia/workbench') && typeof given === 'string' && isSameToken(given, token)) {
      setTokenCookie(req, res, token)
      res.redirect(303, req.path)
      return
    }
    if (hasToken(req) || trustedByPlace(req)) {
      next()
      return
    }
    const error = refusal(req)
    if (toCookieToken(req).kind === 'malformed') logger.warn(`Refused ${req.method} ${req.path}: ${error}`, { method: req.method, path: req.path })
    res.status(401).json({ error })
  }
  return { guard, hasToken, admits: (req) => hasToken(req) || trustedByPlace(req) }
}
