import { randomUUID } from 'node:crypto'

/** The time part of the last id made, and its millisecond: a fan-out makes thousands of ids in one. */
let lastMs = -1
let lastPrefix = ''

/**
 * A new job's id: a UUID of version 7 (RFC 9562), whose first 48 bits are the creation time in
 * milliseconds. Ids made in order sort in order, so a store's index of ids grows at its end: on
 * SQLite a commit of new jobs writes a page or two of that index instead of a random page per job.
 * The random part and the variant are randomUUID's, which draws from a cached entropy pool.
 */
export function newJobId(time: number = Date.now()): string {
  const ms = Math.max(0, Math.floor(time))
  if (ms !== lastMs) {
    const hex = ms.toString(16).padStart(12, '0').slice(-12)
    lastPrefix = `${hex.slice(0, 8)}-${hex.slice(8)}-7`
    lastMs = ms
  }
  // randomUUID() is xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: everything after its version digit stays.
  return lastPrefix + randomUUID().slice(15)
}
