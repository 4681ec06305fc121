import type { LogEntry, LogLevel, RootLogger } from '../logger/create-logger.ts'
import { createFeed } from '../feed.ts'
import { type Captured, capture, clip, release } from '../trace/capture.ts'

const levelRank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

export interface LogQuery {
  /** Lines at this level or above. */
  level?: LogLevel
  step?: string
  traceId?: string
  /** Default 200. */
  limit?: number
  /** Only lines older than the one this names (the `nextCursor` of the previous page). */
  before?: number
}

/** The last log lines of a process, for the Workbench to show what happened before it was opened. */
export interface LogTail {
  /** The newest matching lines, oldest first; `nextCursor` names the first one when older ones match too. */
  list(query?: LogQuery): { logs: LogEntry[]; nextCursor: number | null }
  /** Each line as it is kept (a long field list replaced by `{ truncated }`), for live views; returns the remover. */
  onLine(listener: (line: LogEntry) => void): () => void
  close(): void
}

type KeptLine = Omit<LogEntry, 'meta'> & { meta: string | Captured; seq: number }

const SIZE = 1000
const MAX_VALUE_CHARS = 4000
const MAX_NAME_CHARS = 500

/**
 * A line as the Workbench shows it: a trace id logged as a field (as the HTTP error handler does) counts
 * as the line's; the message, step and trace id are cut, so a huge one costs what a short one does.
 */
function toLogLine(entry: LogEntry): LogEntry {
  const field = entry.meta['traceId']
  const fromField = !entry.traceId && typeof field === 'string'
  const { traceId: _traceId, ...rest } = entry.meta
  const traceId = fromField ? field : entry.traceId
  return {
    ...entry,
    msg: clip(entry.msg, MAX_VALUE_CHARS),
    ...(entry.step === undefined ? {} : { step: clip(entry.step, MAX_NAME_CHARS) }),
    ...(traceId === undefined ? {} : { traceId: clip(traceId, MAX_NAME_CHARS) }),
    meta: fromField ? rest : entry.meta,
  }
}

/** Keeps the last 1,000 lines the logger writes; the message and the fields (copied as JSON) are kept to 4,000 characters each. */
export function createLogTail(logger: RootLogger, onError: (error: unknown) => void): LogTail {
  const lines: KeptLine[] = []
  let written = 0
  const feed = createFeed<LogEntry>(onError)
  const stop = logger.onLog((entry) => {
    const line = toLogLine(entry)
    const meta = capture(line.meta, MAX_VALUE_CHARS)
    written += 1
    lines.push({ ...line, meta, seq: written })
    if (lines.length > SIZE) lines.splice(0, lines.length - SIZE)
    if (feed.active) feed.report(typeof meta === 'string' ? line : { ...line, meta: { truncated: meta.value } })
  })
  const toEntry = ({ seq: _seq, ...line }: KeptLine): LogEntry => {
    const { value, truncated } = release(line.meta)
    return { ...line, meta: truncated ? { truncated: value } : (value as Record<string, unknown>) }
  }
  return {
    list(query = {}) {
      const { level, step, traceId, before } = query
      const matching = lines.filter(
        (line) =>
          (before === undefined || line.seq < before) &&
          (!level || levelRank[line.level] >= levelRank[level]) &&
          (!step || line.step === step) &&
          (!traceId || line.traceId === traceId),
      )
      const page = matching.slice(-(query.limit ?? 200))
      const first = page[0]
      return { logs: page.map(toEntry), nextCursor: first && page.length < matching.length ? first.seq : null }
    },
    onLine: (listener) => feed.listen(listener),
    close: stop,
  }
}
