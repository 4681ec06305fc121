import { BackendUnavailableError } from '../../errors.ts'

/** SQLite result codes that say the disk, not the request, is at fault: a full or failing disk, a file turned read-only. */
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY)/

/**
 * A write error of a full or failing disk as a BackendUnavailableError naming the file and the cause
 * (HTTP 503 with Retry-After: the write was rolled back, so the request can be sent again); any
 * other error as it is.
 */
export function toStorageError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !STORAGE_CODES.test(code)) return error
  const reason = error instanceof Error ? error.message : code
  return new BackendUnavailableError(
    `The data file ${file} cannot be written (${reason}), so nothing of this request was stored. Free disk space or fix the disk, then try again.`,
    { cause: error },
  )
}
