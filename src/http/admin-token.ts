import { createHash, timingSafeEqual } from 'node:crypto'
import type { Request, Response } from 'express'

/** Browsers cannot send a bearer header with a page load or an EventSource, so the Workbench keeps the token in this cookie. */
const cookieName = 'motia_admin_token'

/** What a request's admin cookie holds: the token, nothing, or a value that is not valid percent-encoding. */
export type CookieToken = { kind: 'token'; value: string } | { kind: 'none' } | { kind: 'malformed' }

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/** Compares a given token with the real one in constant time, whatever their lengths: both are hashed first. */
export function isSameToken(given: string, token: string): boolean {
  return timingSafeEqual(digest(given), digest(token))
}

/** The admin cookie of a request; a value that does not decode is reported, not thrown. */
export function toCookieToken(req: Request): CookieToken {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name !== cookieName) continue
    try {
      return { kind: 'token', value: decodeURIComponent(value.join('=')) }
    } catch {
      return { kind: 'malformed' }
    }
  }
  return { kind: 'none' }
}

/** The bearer token of the Authorization header, or ''. */
export function toBearerToken(req: Request): string {
  return (req.get('authorization') ?? '').replace(/^Bearer\s+/i, '')
}

/** Stores the token for the Workbench's own requests: HttpOnly, SameSite=Strict, and Secure when the request came over TLS. */
export function setTokenCookie(req: Request, res: Response, token: string): void {
  res.cookie(cookieName, token, { httpOnly: true, sameSite: 'strict', path: '/__motia', secure: req.secure })
}
