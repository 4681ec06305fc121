import type { Request } from 'express'
import { HttpError } from '../errors.ts'

/** The `limit` (clamped to 1..max, `fallback` when absent) and `cursor` of a list request. */
export function toPageQuery(query: Request['query'], fallback: number, max: number): { limit: number; cursor?: string } {
  const rawLimit = query['limit']
  const rawCursor = query['cursor']
  const parsed = typeof rawLimit === 'string' ? Number.parseInt(rawLimit, 10) : Number.NaN
  const limit = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 1), max) : fallback
  if (rawCursor === undefined || rawCursor === '') return { limit }
  if (typeof rawCursor !== 'string') {
    throw new HttpError(400, 'BAD_CURSOR', 'Give "cursor" once, as the nextCursor of the previous page.')
  }
  return { limit, cursor: rawCursor }
}

/** A cursor that is a whole number (a position or a sequence number), or a 400 saying where cursors come from. */
export function toNumberCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined
  if (!/^\d{1,15}$/.test(cursor)) {
    throw new HttpError(400, 'BAD_CURSOR', `Cursor "${cursor.slice(0, 40)}" is not one this list gave. Pass the nextCursor of the previous page.`)
  }
  return Number(cursor)
}
