import { hash } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Response } from 'express'
import { MotiaError, toErrorMessage } from '../errors.ts'
import type { ApiResponse } from '../types.ts'

/** Why a handler's response cannot be sent: the step named by the caller, the fix here. */
export class InvalidResponseError extends MotiaError {
  constructor(reason: string) {
    super('INVALID_RESPONSE', reason)
    this.name = 'InvalidResponseError'
  }
}

/**
 * A Node Readable, or a web ReadableStream. The global `ReadableStream` loads Node's web streams on its
 * first read (about 4 ms), so only a body with a `getReader` method is checked against it.
 */
function isReadable(body: unknown): body is Readable | ReadableStream {
  if (typeof body !== 'object' || body === null) return false
  if (typeof (body as Partial<ReadableStream>).getReader === 'function' && body instanceof ReadableStream) return true
  return typeof (body as Readable).pipe === 'function' && typeof (body as Readable).on === 'function'
}

/** The JSON text of a body, or why it has none: a function, a symbol, a cycle, a BigInt, a throwing toJSON. */
function toJsonText(body: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify(body)
  } catch (error) {
    throw new InvalidResponseError(`it returned a body JSON cannot hold (${toErrorMessage(error)}). Return plain data, a string, a Buffer or a Readable.`)
  }
  if (json === undefined) {
    throw new InvalidResponseError(`it returned a ${typeof body} as the body. Return plain data, a string, a Buffer or a Readable.`)
  }
  return json
}

/**
 * Sends bytes with res.send, and first, when the app makes express's default weak ETags (`etag` setting
 * `'weak'` or true) and the handler set none, the ETag res.send would make: the same text
 * (`W/"<length in hex>-<SHA-1 in base64, 27 characters>"`), hashed in one call. express makes a Hash
 * object per response, whose native half costs more than hashing a small body.
 */
function sendBytes(res: Response, bytes: Buffer): void {
  const setting: unknown = res.app.get('etag')
  if ((setting === 'weak' || setting === true) && res.getHeader('etag') === undefined) {
    res.setHeader('ETag', `W/"${bytes.length.toString(16)}-${hash('sha1', bytes, 'base64').slice(0, 27)}"`)
  }
  res.send(bytes)
}

/**
 * Sends a handler's `{ status, body, headers }`: nothing for null, a Buffer or string as it is, a Readable
 * (or web ReadableStream) streamed, anything else as JSON. Throws InvalidResponseError before sending
 * anything when the status is not a whole number from 100 to 599 or the body cannot be sent. Returns a
 * promise only for a streamed body: it resolves when the body ended and rejects when it failed midway
 * (the connection is then cut); every other body is sent before it returns.
 */
export function sendResponse(res: Response, result: ApiResponse): Promise<void> | undefined {
  const { status, body } = result
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new InvalidResponseError(`it returned status ${String(status)}. Return a whole number from 100 to 599.`)
  }
  const json = body === undefined || body === null || Buffer.isBuffer(body) || typeof body === 'string' || isReadable(body) ? undefined : toJsonText(body)
  if (result.headers) res.set(result.headers)
  res.statusCode = status
  if (json !== undefined) {
    if (res.getHeader('content-type')) res.send(json)
    else {
      // What res.json() would set. Given bytes, res.send leaves the type as it is instead of parsing
      // it again to add the charset; the headers, ETag, HEAD and 304 answers are the same.
      res.setHeader('Content-Type', 'application/json; charset=utf-8')
      sendBytes(res, Buffer.from(json))
    }
  } else if (body === undefined || body === null) res.end()
  else if (Buffer.isBuffer(body)) sendBytes(res, body)
  else if (typeof body === 'string') {
    if (!res.getHeader('content-type')) res.type('text/plain')
    res.send(body)
  } else if (isReadable(body)) {
    if (!res.getHeader('content-type')) res.type('application/octet-stream')
    return pipeline(body instanceof ReadableStream ? Readable.fromWeb(body as import('node:stream/web').ReadableStream) : body, res)
  }
  return undefined
}
