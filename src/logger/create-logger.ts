import type { DestinationStream, Logger as PinoLogger } from 'pino'
import { createRequire } from 'node:module'
import { MotiaError } from '../errors.ts'
import type { Logger } from '../types.ts'

/** The levels of the `Logger` methods. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** One emitted line as listeners receive it; `meta` has its Errors already serialized. */
export interface LogEntry {
  level: LogLevel
  /** Milliseconds since the epoch. */
  time: number
  msg: string
  traceId?: string
  step?: string
  flows?: string[]
  meta: Record<string, unknown>
}

/** Fields a child logger adds to every line. */
export type LoggerBindings = { traceId?: string; step?: string; flows?: string[] } & Record<string, unknown>

/** Receives every line at or above the logger's level. */
export type LogListener = (entry: LogEntry) => void

/** The process-wide logger: makes per-job children and feeds listeners such as the trace timeline. */
export interface RootLogger extends Logger {
  child(bindings: LoggerBindings): Logger
  /** Adds a listener and returns the function that removes it. */
  onLog(listener: LogListener): () => void
  isLevelEnabled(level: string): boolean
}

export interface CreateLoggerOptions {
  /** trace, debug, info, warn, error, fatal or silent; default `LOG_LEVEL`, then info. */
  level?: string
  /** Readable colored lines instead of JSON lines; default: whether the destination is a terminal. */
  pretty?: boolean
  /** Default: stdout. */
  destination?: NodeJS.WritableStream
}

interface LoggerCore {
  /** The pino logger, made on the first line written. */
  root(): PinoLogger
  threshold: number
  listeners: Set<LogListener>
}

const LEVEL_VALUES: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 }
/** pino's numbers for its levels; `silent` is above every line. */
const PINO_LEVELS: Record<string, number> = { trace: 10, ...LEVEL_VALUES, fatal: 60, silent: Number.POSITIVE_INFINITY }
const KNOWN_LEVELS = Object.keys(PINO_LEVELS)

type Pino = typeof import('pino')
const requireHere = createRequire(import.meta.url)
let loadedPino: Pino | undefined
/** pino with its streams and serializers (about 25 ms to load), required on the first line: a start that logs nothing skips it. */
function loadPino(): Pino {
  return (loadedPino ??= requireHere('pino') as Pino)
}

/** Fields pino writes itself: a meta key with one of these names would give the line a duplicate key. */
const RESERVED_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname'])

/**
 * Creates the structured logger: JSON lines, or pretty lines in a terminal.
 * @example
 * const logger = createLogger({ level: 'debug' })
 * logger.child({ traceId, step: 'send-email', flows: ['onboarding'] }).info('sent', { to })
 */
export function createLogger(options: CreateLoggerOptions = {}): RootLogger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info'
  if (!KNOWN_LEVELS.includes(level)) {
    throw new MotiaError('LOG_LEVEL_UNKNOWN', `Log level "${level}" is unknown. Use one of ${KNOWN_LEVELS.join(', ')}.`)
  }
  const toTerminal = isTerminal(options.destination ?? process.stdout)
  const pretty = options.pretty ?? toTerminal
  let root: PinoLogger | undefined
  const open = (): PinoLogger => {
    const destination = options.destination ?? loadPino().destination(1)
    return loadPino()({ level, formatters: { level: (label) => ({ level: label }) } }, pretty ? createPrettyStream(destination, toTerminal) : destination)
  }
  const threshold = PINO_LEVELS[level] as number
  const core: LoggerCore = { root: () => (root ??= open()), threshold, listeners: new Set() }
  const logger = createBoundLogger(core, undefined)

  return {
    ...logger,
    child: (bindings) => createBoundLogger(core, bindings),
    onLog(listener) {
      core.listeners.add(listener)
      return () => {
        core.listeners.delete(listener)
      }
    },
    isLevelEnabled: (name) => (PINO_LEVELS[name] ?? Number.NEGATIVE_INFINITY) >= threshold,
  }
}

interface BoundState {
  core: LoggerCore
  bindings: LoggerBindings | undefined
  /** The pino logger (a child, which serializes the bindings, for bound ones): made on the first line written, so idle loggers cost little. */
  target: PinoLogger | undefined
}

/** Method shorthand on purpose: tsx compiles with keepNames, which adds a defineProperty to every arrow function made here. */
function createBoundLogger(core: LoggerCore, bindings: LoggerBindings | undefined): Logger {
  const state: BoundState = { core, bindings, target: undefined }
  return {
    debug(message, meta) {
      write(state, 'debug', message, meta)
    },
    info(message, meta) {
      write(state, 'info', message, meta)
    },
    warn(message, meta) {
      write(state, 'warn', message, meta)
    },
    error(message, meta) {
      write(state, 'error', message, meta)
    },
  }
}

function write(state: BoundState, level: LogLevel, message: string, meta: Record<string, unknown> | undefined): void {
  const { core, bindings } = state
  if (LEVEL_VALUES[level] < core.threshold) return
  const data = meta === undefined ? undefined : serializeErrors(meta)
  const target = (state.target ??= bindings === undefined ? core.root() : core.root().child(bindings))
  if (data === undefined) target[level](message)
  else target[level](withoutCollisions(data, bindings), message)
  if (core.listeners.size > 0) notify(core, toEntry(level, message, data, bindings))
}

function toEntry(
  level: LogLevel,
  msg: string,
  data: Record<string, unknown> | undefined,
  bindings: LoggerBindings | undefined,
): LogEntry {
  const entry: LogEntry = { level, time: Date.now(), msg, meta: data ?? {} }
  if (bindings === undefined) return entry
  let extra: Record<string, unknown> | undefined
  for (const key of Object.keys(bindings)) {
    const value = bindings[key]
    if (key === 'traceId') entry.traceId = bindings.traceId
    else if (key === 'step') entry.step = bindings.step
    else if (key === 'flows') entry.flows = bindings.flows
    else (extra ??= {})[key] = value
  }
  if (extra !== undefined) entry.meta = { ...extra, ...entry.meta }
  return entry
}

function notify(core: LoggerCore, entry: LogEntry): void {
  for (const listener of core.listeners) {
    try {
      listener(entry)
    } catch (error) {
      core.root().error({ error: toErrorRecord(error) }, 'A log listener threw; the line itself was written.')
    }
  }
}

/** Errors have no enumerable fields, so JSON would print `{}`: turn them into message, stack and own fields. */
function serializeErrors(meta: Record<string, unknown>): Record<string, unknown> {
  if (meta instanceof Error) return { error: toErrorRecord(meta) }
  let copy: Record<string, unknown> | undefined
  for (const key of Object.keys(meta)) {
    const value = meta[key]
    if (value instanceof Error) (copy ??= { ...meta })[key] = toErrorRecord(value)
  }
  return copy ?? meta
}

function toErrorRecord(error: unknown): unknown {
  return error instanceof Error ? { ...loadPino().stdSerializers.err(error) } : error
}

function withoutCollisions(
  data: Record<string, unknown>,
  bindings: LoggerBindings | undefined,
): Record<string, unknown> {
  let safe: Record<string, unknown> | undefined
  for (const key of Object.keys(data)) {
    if (RESERVED_KEYS.has(key) || (bindings !== undefined && Object.hasOwn(bindings, key))) {
      safe ??= { ...data }
      delete safe[key]
      safe[`meta.${key}`] = data[key]
    }
  }
  return safe ?? data
}

/** pino-pretty as a plain synchronous stream in this thread, not a worker transport, so no line is lost on exit. */
function createPrettyStream(destination: { write(chunk: string): unknown }, toTerminal: boolean): DestinationStream {
  // Loaded only for terminals: JSON-line servers never pay for it.
  const { isColorSupported, prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty')
  const colorize = toTerminal && isColorSupported
  const prettify = prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,step,flows',
    messageFormat: '{if step}[{step}] {end}{msg}',
  })
  return {
    write(line: string) {
      destination.write(prettify(line))
    },
  }
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
  return 'isTTY' in stream && stream.isTTY === true
}
