import { statSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { watch } from 'chokidar'
import { STEP_ROOTS } from '../steps/patterns.ts'
import type { Logger } from '../types.ts'
import type { FileChange } from './reloader.ts'

/** Files whose change restarts the runtime instead of reloading steps. */
export const RESTART_FILES = ['.env', 'motia-like.config.ts', 'motia-like.config.js', 'motia.config.ts', 'motia.config.js'] as const

const moduleFile = /\.(ts|mts|cts|js|mjs|cjs|py|rb)$/
/** chokidar drops a second `change` of a path within 50 ms; a later look at the mtime catches it. */
const RECHECK_MS = 80
const skippedDir = new Set(['node_modules', 'dist', '.motia-like', '__pycache__'])

/** A file watcher; `start` mode uses the no-op one. */
export interface Watcher {
  ready: Promise<void>
  close(): Promise<void>
}

export interface WatchHandlers {
  /** A debounced batch of module changes under the step roots. */
  onChanges(changes: FileChange[]): Promise<void>
  /** A config or .env file changed. */
  onRestart(file: string): Promise<void>
}

/** The watcher of `start`: watches nothing. */
export const noWatcher: Watcher = { ready: Promise.resolve(), close: async () => {} }

function isWatched(projectDir: string, path: string, isFile: boolean | undefined): boolean {
  const rel = relative(projectDir, path)
  if (rel === '') return true
  const parts = rel.split(sep)
  if (parts.length === 1 && (RESTART_FILES as readonly string[]).includes(rel)) return true
  if (!(STEP_ROOTS as readonly string[]).includes(parts[0] ?? '')) return false
  if (parts.some((part) => part.startsWith('.') || skippedDir.has(part))) return false
  return isFile === false || isFile === undefined || moduleFile.test(rel)
}

/** Watches the step roots and config files with chokidar; bursts are debounced into one batch. */
export function createWatcher(projectDir: string, handlers: WatchHandlers, logger: Logger, debounceMs = 25): Watcher {
  const watcher = watch(projectDir, {
    ignoreInitial: true,
    // As discovery: a symlinked folder is not entered, so a link back to a parent cannot loop.
    followSymlinks: false,
    ignored: (path, stats) => !isWatched(projectDir, path, stats ? stats.isFile() : undefined),
  })
  let pending = new Map<string, FileChange['kind']>()
  let restart: string | undefined
  let timer: NodeJS.Timeout | undefined
  let running = Promise.resolve()

  function flush(): void {
    const batch = pending
    const restartFile = restart
    pending = new Map()
    restart = undefined
    // Batches run one after another, so a reload never overlaps the previous one.
    running = running.then(async () => {
      try {
        if (restartFile) await handlers.onRestart(restartFile)
        else if (batch.size > 0) await handlers.onChanges([...batch].map(([file, kind]) => ({ file, kind })))
      } catch (error) {
        logger.error('Reload failed', { error })
      }
    })
  }

  const rechecks = new Map<string, NodeJS.Timeout>()
  const mtimeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs

  function recheckLater(path: string): void {
    const seen = mtimeOf(path)
    clearTimeout(rechecks.get(path))
    const timer = setTimeout(() => {
      rechecks.delete(path)
      const now = mtimeOf(path)
      if (now !== undefined && now !== seen) record('change', path)
    }, RECHECK_MS)
    rechecks.set(path, timer)
  }

  function record(kind: FileChange['kind'], path: string): void {
    if (kind !== 'unlink') recheckLater(path)
    const rel = relative(projectDir, path)
    if ((RESTART_FILES as readonly string[]).includes(rel)) restart = path
    else if (moduleFile.test(path)) pending.set(path, kind)
    clearTimeout(timer)
    timer = setTimeout(flush, debounceMs)
  }

  watcher.on('add', (path) => record('add', path))
  watcher.on('change', (path) => record('change', path))
  watcher.on('unlink', (path) => record('unlink', path))
  watcher.on('error', (error) => logger.error('File watcher error', { error }))
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()))

  return {
    ready,
    async close() {
      clearTimeout(timer)
      for (const recheck of rechecks.values()) clearTimeout(recheck)
      await watcher.close()
      await running
    },
  }
}
