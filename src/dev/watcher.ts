import { statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { watch } from 'chokidar'
import fg from 'fast-glob'
import { IGNORED_DIRS, isIgnoredDir, STEP_ROOTS } from '../steps/patterns.ts'
import type { Logger } from '../types.ts'
import type { FileChange } from './reloader.ts'

/** Files whose change restarts the runtime instead of reloading steps. */
export const RESTART_FILES = ['.env', 'motia-like.config.ts', 'motia-like.config.js', 'motia.config.ts', 'motia.config.js'] as const

const moduleFile = /\.(ts|mts|cts|js|mjs|cjs|py|rb)$/
/** chokidar drops a second `change` of a path within 50 ms; a later look at the mtime catches it. */
const RECHECK_MS = 80

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
  if (parts.some((part) => isIgnoredDir(part) || part === '__pycache__')) return false
  return isFile === false || isFile === undefined || moduleFile.test(rel)
}

export interface WatcherOptions {
  /** Quiet time that closes a batch; default 25 ms. */
  debounceMs?: number
  /**
   * The modification times of the watched files when the project was loaded (`toModifiedTimes`): a
   * file saved since, before the watcher was ready to see it, is reported once it is, so no edit of
   * that window is lost.
   */
  loaded?: ReadonlyMap<string, number>
}

/** The modification time of every file the watcher would watch, by absolute path. */
export async function toModifiedTimes(projectDir: string): Promise<Map<string, number>> {
  const patterns = [...STEP_ROOTS.map((root) => `${root}/**/*`), ...RESTART_FILES]
  const files = await fg(patterns, { cwd: projectDir, absolute: true, ignore: [...IGNORED_DIRS], followSymbolicLinks: false, stats: true })
  return new Map(files.map((entry) => [entry.path, entry.stats?.mtimeMs ?? 0]))
}

/** Watches the step roots and config files with chokidar; bursts are debounced into one batch. */
export function createWatcher(projectDir: string, handlers: WatchHandlers, logger: Logger, options: WatcherOptions = {}): Watcher {
  const debounceMs = options.debounceMs ?? 25
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
  /** Reports the files chokidar's first scan found changed or added since the project loaded: it reports none itself. */
  function catchUp(loaded: ReadonlyMap<string, number>): void {
    for (const [dir, names] of Object.entries(watcher.getWatched())) {
      for (const name of names) {
        const path = join(dir, name)
        const stats = statSync(path, { throwIfNoEntry: false })
        if (!stats?.isFile() || loaded.get(path) === stats.mtimeMs) continue
        record(loaded.has(path) ? 'change' : 'add', path)
      }
    }
  }

  const ready = new Promise<void>((resolve) =>
    watcher.once('ready', () => {
      if (options.loaded) catchUp(options.loaded)
      resolve()
    }),
  )

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
