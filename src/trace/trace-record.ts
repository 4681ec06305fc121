/** How one trace is kept in memory, and how it is turned into what the endpoints send. */
import { type Captured, release } from './capture.ts'
import type { Trace, TraceEmit, TraceEntry, TraceLog, TraceRun, TraceStateWrite, TraceStatus, TraceStreamWrite, TraceSummary } from './trace.ts'

/** An entry as kept: its offset depends on the first entry of the trace, so it is added when sent. */
export type Stored<T extends TraceEntry> = Omit<T, 'offsetMs'>
/** A run as kept, with what places the emit that created it. */
export interface StoredRun extends Stored<TraceRun> {
  /** When the job was created, to place the emit that created it before it. */
  queuedAt?: number
  /** Set once an emit was placed before this run. */
  claimed?: boolean
}
/** Emit data and log fields are kept as JSON text (see capture.ts). */
export type StoredEmit = Omit<Stored<TraceEmit>, 'data' | 'truncated'> & { data: string | Captured }
export type StoredLog = Omit<Stored<TraceLog>, 'meta' | 'truncated'> & { meta: string | Captured }
export type StoredEntry = StoredRun | StoredEmit | Stored<TraceStateWrite> | Stored<TraceStreamWrite> | StoredLog

/** One trace in memory, with the counts and open runs that give its status. */
export interface TraceRecord {
  traceId: string
  /** Order of creation, the cursor of the trace list. */
  seq: number
  entries: StoredEntry[]
  /** Runs not finished yet, by `job:<id>` or `call:<invocation id>`. */
  open: Map<string, StoredRun>
  /** Jobs whose last attempt failed; a later success takes them out. */
  failedJobs: Set<string>
  failedCalls: number
  counts: TraceSummary['counts']
  steps: string[]
  dropped: number
  /** Rough memory held by the entries (characters of kept JSON plus a fixed cost each), for the recorder's budget. */
  size: number
  updatedAt: number
  endAt: number
}

function nameOf(first: StoredEntry | undefined): string {
  if (!first) return 'trace'
  if (first.type === 'run') {
    if (first.trigger === 'api') return `${first.method ?? ''} ${(first.path ?? '').split('?')[0]}`.trim()
    if (first.trigger === 'cron') return `${first.step} (cron)`
    return `${first.topic ?? ''} → ${first.step}`
  }
  if (first.type === 'emit') return first.step ? `${first.step}: emit ${first.topic}` : `emit ${first.topic}`
  return first.step ?? 'trace'
}

function statusOf(record: TraceRecord): TraceStatus {
  if (record.open.size > 0) return 'running'
  return record.failedJobs.size > 0 || record.failedCalls > 0 ? 'error' : 'ok'
}

/** A trace with nothing in it yet. */
export function createRecord(traceId: string, seq: number): TraceRecord {
  return {
    traceId,
    seq,
    entries: [],
    open: new Map(),
    failedJobs: new Set(),
    failedCalls: 0,
    counts: { runs: 0, emits: 0, stateWrites: 0, streamWrites: 0, logs: 0, errors: 0 },
    steps: [],
    dropped: 0,
    size: 0,
    updatedAt: 0,
    endAt: 0,
  }
}

/** Inserts an entry in time order, or ahead of `before`; counts it as dropped when the trace holds `maxEntries` already. */
export function addEntry(record: TraceRecord, entry: StoredEntry, maxEntries: number, before?: StoredEntry): boolean {
  if (record.entries.length >= maxEntries) {
    record.dropped += 1
    return false
  }
  const { entries } = record
  let index = before ? entries.indexOf(before) : -1
  if (index < 0) {
    index = entries.length
    while (index > 0 && (entries[index - 1] as StoredEntry).at > entry.at) index -= 1
  }
  entries.splice(index, 0, entry)
  record.size += sizeOf(entry)
  if (entry.type === 'run') {
    record.counts.runs += 1
    if (!record.steps.includes(entry.step)) record.steps.push(entry.step)
  } else if (entry.type === 'emit') record.counts.emits += 1
  else if (entry.type === 'state') record.counts.stateWrites += 1
  else if (entry.type === 'stream') record.counts.streamWrites += 1
  else {
    record.counts.logs += 1
    if (entry.level === 'error') record.counts.errors += 1
  }
  return true
}

/** What an entry costs, roughly: the fields every entry has, plus its texts (two bytes a character) and its kept JSON. */
function sizeOf(entry: StoredEntry): number {
  const texts: (string | null | undefined)[] = [entry.step]
  if (entry.type === 'emit') texts.push(entry.topic, typeof entry.data === 'string' ? entry.data : String(entry.data.value))
  else if (entry.type === 'log') texts.push(entry.msg, typeof entry.meta === 'string' ? entry.meta : String(entry.meta.value))
  else if (entry.type === 'state') texts.push(entry.group, entry.key)
  else if (entry.type === 'stream') texts.push(entry.stream, entry.group, entry.id)
  else texts.push(entry.topic, entry.path, entry.error)
  let chars = 0
  for (const text of texts) chars += text?.length ?? 0
  return 200 + 2 * chars
}

function toEntry(entry: StoredEntry, startedAt: number): TraceEntry {
  const offsetMs = entry.at - startedAt
  if (entry.type === 'run') {
    const { queuedAt: _queuedAt, claimed: _claimed, ...run } = entry
    return { ...run, offsetMs }
  }
  if (entry.type === 'emit') {
    const { value, truncated } = release(entry.data)
    return { ...entry, data: value, offsetMs, ...(truncated ? { truncated: true as const } : {}) }
  }
  if (entry.type === 'log') {
    const { value, truncated } = release(entry.meta)
    return { ...entry, meta: value, offsetMs, ...(truncated ? { truncated: true as const } : {}) }
  }
  return { ...entry, offsetMs }
}

/** What a list of traces shows of one. */
export function summarize(record: TraceRecord): TraceSummary {
  const startedAt = record.entries[0]?.at ?? record.updatedAt
  return {
    traceId: record.traceId,
    name: nameOf(record.entries[0]),
    status: statusOf(record),
    startedAt,
    updatedAt: record.updatedAt,
    durationMs: Math.max(0, record.endAt - startedAt),
    steps: [...record.steps],
    counts: { ...record.counts },
    dropped: record.dropped,
  }
}

/** The trace with its timeline, offsets measured from its first entry. */
export function toTrace(record: TraceRecord): Trace {
  const summary = summarize(record)
  return { ...summary, entries: record.entries.map((entry) => toEntry(entry, summary.startedAt)) }
}
