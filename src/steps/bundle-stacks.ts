import { readFileSync } from 'node:fs'
import { findSourceMap, SourceMap, type SourceMapPayload } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The generated files whose stack frames are mapped, by the names frames give them: the file's URL (an ES module) and path. */
const mapped = new Map<string, () => SourceMap | null>()

/** Reads a linked source map (`<file>.map`), its sources made absolute as Node makes them; null when it is missing or unreadable. */
function readSourceMap(file: string): SourceMap | null {
  try {
    const payload = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload
    const base = pathToFileURL(`${file}.map`)
    payload.sources = payload.sources.map((source) => new URL((payload.sourceRoot ?? '') + source, base).href)
    return new SourceMap(payload)
  } catch {
    return null
  }
}

/**
 * A frame's text with its place in a mapped file replaced by the source file, line and column it came
 * from; also for the maps Node holds while something (tsx, loading a file the build lacks) turned its own on.
 */
function mapFrame(frame: NodeJS.CallSite): string {
  const text = frame.toString()
  const name = frame.getFileName()
  const ours = name ? mapped.get(name) : undefined
  const sourceMap = ours ? ours() : name && process.sourceMapsEnabled ? findSourceMap(name) : undefined
  const line = frame.getLineNumber()
  const column = frame.getColumnNumber()
  if (!sourceMap || line === null || column === null) return text
  const entry = sourceMap.findEntry(line - 1, column - 1)
  if (!('originalSource' in entry)) return text
  const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource
  return text.replace(`${name}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`)
}

/** Whether a frame is in one of the mapped files. */
const isMapped = (frame: NodeJS.CallSite): boolean => mapped.has(frame.getFileName() ?? '')

/** The `prepareStackTrace` in place before this module's: Node's default, or one a test runner or library set. */
let previous: ((error: Error, frames: NodeJS.CallSite[]) => unknown) | undefined

/**
 * A stack through a mapped file, formatted as Node formats one without source maps (`Name: message` and
 * `    at` lines) with its frames mapped; any other stack as before.
 */
function prepareStackTrace(error: Error, frames: NodeJS.CallSite[]): unknown {
  if (previous && !frames.some(isMapped)) return previous(error, frames)
  const head = Error.prototype.toString.call(error)
  return frames.length === 0 ? head : `${head}\n    at ${frames.map(mapFrame).join('\n    at ')}`
}

/**
 * Maps the stack frames of `file`, a generated ES module with a linked source map beside it, back to the
 * sources it was built from, so a load error or a failing handler names the file and line the user wrote.
 * The map is read on the first stack that passes through the file. Node's own mapping
 * (`process.setSourceMapsEnabled`) would read and parse, at load, the map of every module loaded after it
 * is on, also the packages' (about 110 ms of a start with OpenTelemetry on, whose packages ship maps).
 * Wraps `Error.prepareStackTrace` for the rest of the process, leaving stacks that do not pass through
 * the file to the one before; a step that sets its own replaces this one in turn.
 */
export function mapStacksOf(file: string): void {
  let sourceMap: SourceMap | null | undefined
  const read = (): SourceMap | null => (sourceMap === undefined ? (sourceMap = readSourceMap(file)) : sourceMap)
  mapped.set(pathToFileURL(file).href, read)
  mapped.set(file, read)
  if (Error.prepareStackTrace === prepareStackTrace) return
  previous = Error.prepareStackTrace
  Error.prepareStackTrace = prepareStackTrace
}
