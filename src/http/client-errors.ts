import type { Request } from 'express'

/** A request the server could not read, answered 4xx with a reason the caller can act on. */
export interface ClientError {
  status: number
  error: string
}

interface StatusError {
  type?: unknown
  status?: unknown
  code?: unknown
  limit?: unknown
  message: string
}

function fields(error: unknown): StatusError | null {
  return typeof error === 'object' && error !== null && typeof (error as StatusError).message === 'string' ? (error as StatusError) : null
}

/**
 * What a caller's mistake found while reading the request means to HTTP, or null when the error is the
 * server's: a body over the limit (413), malformed JSON (400), an unknown Content-Encoding (415), a body
 * that claims gzip or deflate and is not (400), a path whose percent-encoding does not decode (400).
 */
export function toClientError(error: unknown, req: Request): ClientError | null {
  const found = fields(error)
  if (!found) return null
  if (found.type === 'entity.too.large') return { status: 413, error: `Request body is larger than the limit of ${String(found.limit ?? '?')} bytes.` }
  if (found.type === 'entity.parse.failed') return { status: 400, error: `Malformed JSON body: ${found.message}` }
  if (typeof found.code === 'string' && found.code.startsWith('Z_')) {
    const encoding = req.get('content-encoding') ?? 'gzip'
    return { status: 400, error: `Request body says Content-Encoding: ${encoding} but is not ${encoding} data (${found.message}). Send it compressed, or without the header.` }
  }
  if (error instanceof URIError || found.message.startsWith('Failed to decode param')) {
    return { status: 400, error: `Path ${JSON.stringify(req.originalUrl.slice(0, 200))} is not valid percent-encoding. Encode "%" as "%25".` }
  }
  const status = typeof found.status === 'number' ? found.status : 0
  if (typeof found.type === 'string' && status >= 400 && status < 500) return { status, error: found.message }
  return null
}
