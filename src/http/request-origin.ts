import { isIP } from 'node:net'
import type { Request } from 'express'

const loopbackAddresses = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])
const loopbackHost = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/** True when the caller's address is loopback (the client behind a trusted proxy, else the socket's peer). */
export function isLoopbackCaller(req: Request): boolean {
  return loopbackAddresses.has(req.ip ?? req.socket.remoteAddress ?? '')
}

/** True when the Host header names loopback: localhost, 127.0.0.1 or [::1], with or without a port. */
export function isLoopbackHost(req: Request): boolean {
  return loopbackHost.test(req.get('host') ?? '')
}

/** True when the Host header is an IP address, which no DNS answer can point elsewhere (DNS rebinding needs a name). */
export function isAddressHost(req: Request): boolean {
  const host = (req.get('host') ?? '').replace(/:\d{1,5}$/, '').replace(/^\[(.*)\]$/, '$1')
  return isIP(host) !== 0
}

/** True for methods that change something: everything but GET, HEAD and OPTIONS. */
export function isChangingMethod(req: Request): boolean {
  return !safeMethods.has(req.method)
}

/**
 * Why a request looks sent by another site's page, or null when it does not: `Sec-Fetch-Site` other than
 * same-origin or none (typed by the user), or an `Origin` whose host is not the `Host` the request was sent to.
 */
export function toCrossSiteReason(req: Request): string | null {
  const site = req.get('sec-fetch-site')
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is "${site}"`
  const origin = req.get('origin')
  if (origin === undefined) return null
  let host = ''
  try {
    host = new URL(origin).host
  } catch {
    // "null" and other opaque origins have no host: another site as far as we can tell.
  }
  return host !== '' && host === (req.get('host') ?? '').toLowerCase() ? null : `Origin is "${origin}"`
}

/** Why a body is not acceptable JSON for a built-in endpoint, or null: a body must be `application/json`, and none may be sent untyped. */
export function toNonJsonReason(req: Request): string | null {
  const type = req.get('content-type')
  if (type !== undefined) return req.is(['application/json', 'application/*+json']) ? null : `Content-Type is "${type}"`
  const length = req.get('content-length')
  const hasBody = (length !== undefined && length !== '0') || req.get('transfer-encoding') !== undefined
  return hasBody ? 'the body has no Content-Type' : null
}
