import { readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import fg from 'fast-glob'
import { toErrorMessage } from '../errors.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import { loadStep } from '../steps/load-step.ts'
import { IGNORED_DIRS, isStepFile, isStreamFile, STEP_ROOTS } from '../steps/patterns.ts'
import type { Step } from '../steps/step.ts'
import type { WorkerLanguage } from '../workers/language.ts'
import { workerLanguageOf } from '../workers/step-importer.ts'
import { loadStream } from '../streams/load-stream.ts'
import { createImportGraph } from './import-graph.ts'

/** One file event of a debounced batch. */
export interface FileChange {
  file: string
  kind: 'add' | 'change' | 'unlink'
}

/** What one reload did, for the terminal line and tests. */
export interface ReloadReport {
  /** Step files reloaded, added or removed, relative to the project. */
  files: string[]
  durationMs: number
  errors: { file: string; message: string }[]
}

export interface Reloader {
  /** Applies a batch of file changes to the running runtime. Never throws. */
  apply(changes: FileChange[]): Promise<ReloadReport>
}

const MODULE_PATTERN = '**/*.{ts,mts,cts,js,mjs,cjs}'

/**
 * Creates the reloader of a running runtime. A batch re-imports the changed step files and every step
 * that imports a changed helper (in a fresh module generation), validates them, then swaps them in one
 * by one through the registry; a file that fails keeps its previous step live.
 */
export async function createReloader(runtime: Runtime): Promise<Reloader> {
  const { projectDir, registry, importer, logger } = runtime
  const graph = createImportGraph()
  const roots = STEP_ROOTS.map((root) => join(projectDir, root))
  const modules = await fg(MODULE_PATTERN, { cwd: projectDir, absolute: true, ignore: [...IGNORED_DIRS], onlyFiles: true, followSymbolicLinks: false })
  await Promise.all(
    modules
      .filter((file) => roots.some((root) => file.startsWith(`${root}/`)))
      .map(async (file) => graph.update(file, await readFile(file, 'utf8'))),
  )

  async function warnAboutOrphans(stepName: string): Promise<void> {
    const { total } = await runtime.queue.list({ step: stepName, status: 'pending', limit: 1 })
    if (total > 0) {
      logger.warn(
        `Step "${stepName}" was removed with ${total} pending job(s); they stay queued and run if the step comes back.`,
        { step: stepName },
      )
    }
  }

  /** Python and Ruby imports are not tracked: an edited helper reloads every step of its language, loaded or broken. */
  function stepFilesOf(language: WorkerLanguage): string[] {
    const files = [...registry.steps().map((step) => step.file), ...registry.errors().map((error) => error.file)]
    return files.filter((file) => language.isFile(file) && isStepFile(file))
  }

  return {
    async apply(changes) {
      const started = performance.now()
      const toLoad = new Set<string>()
      const toRemove = new Set<string>()
      const streamsToLoad = new Set<string>()
      const streamsToRemove = new Set<string>()
      for (const { file, kind } of changes) {
        if (isStreamFile(file)) {
          // Step files that import a stream file (its schema, its types) reload with it.
          for (const dependent of graph.dependentsOf(file)) if (isStepFile(dependent)) toLoad.add(dependent)
          if (kind === 'unlink') {
            graph.remove(file)
            streamsToRemove.add(file)
          } else {
            if (!workerLanguageOf(file)) graph.update(file, await readFile(file, 'utf8').catch(() => ''))
            streamsToLoad.add(file)
          }
          continue
        }
        const language = workerLanguageOf(file)
        if (language) {
          if (!isStepFile(file)) for (const stepFile of stepFilesOf(language)) toLoad.add(stepFile)
          else (kind === 'unlink' ? toRemove : toLoad).add(file)
          continue
        }
        const dependents = graph.dependentsOf(file)
        if (kind === 'unlink') {
          graph.remove(file)
          if (isStepFile(file)) toRemove.add(file)
        } else {
          graph.update(file, await readFile(file, 'utf8').catch(() => ''))
          if (isStepFile(file)) toLoad.add(file)
        }
        for (const dependent of dependents) if (isStepFile(dependent)) toLoad.add(dependent)
      }
      for (const file of toRemove) toLoad.delete(file)

      importer.renew()
      const errors: ReloadReport['errors'] = []
      // Removals first, so a step renamed across files does not clash with its old self.
      for (const file of toRemove) {
        const change = registry.remove(file)
        if (change) await warnAboutOrphans(change.step.name)
      }
      // Streams before steps, so a step sees the streams of this batch; items live in the store and survive.
      for (const file of streamsToRemove) runtime.streams.registry.remove(file)
      const streamFiles = [...streamsToLoad]
      const streams = await Promise.allSettled(streamFiles.map((file) => loadStream(file, projectDir, importer, runtime.loadTimeoutMs)))
      streamFiles.forEach((file, index) => {
        const result = streams[index] as PromiseSettledResult<Awaited<ReturnType<typeof loadStream>>>
        if (result.status === 'fulfilled' && runtime.streams.registry.set(result.value)) return
        if (result.status === 'rejected') registry.setError(file, result.reason)
        const recorded = registry.errors().find((entry) => entry.file === file)
        errors.push({ file: relative(projectDir, file), message: recorded?.message ?? toErrorMessage(result.status === 'rejected' ? result.reason : 'not loaded') })
      })
      const loaded = await Promise.allSettled([...toLoad].map((file) => loadStep(file, projectDir, importer, runtime.loadTimeoutMs)))
      const files = [...toLoad]
      files.forEach((file, index) => {
        const result = loaded[index] as PromiseSettledResult<Step>
        if (result.status === 'fulfilled' && registry.set(result.value)) return
        if (result.status === 'rejected') registry.setError(file, result.reason)
        // A rejected import or a clash with another step: the registry holds the message.
        const recorded = registry.errors().find((entry) => entry.file === file)
        const message = recorded?.message ?? (result.status === 'rejected' ? toErrorMessage(result.reason) : 'not loaded')
        errors.push({ file: relative(projectDir, file), message })
      })
      return {
        files: [...toRemove, ...toLoad, ...streamsToRemove, ...streamsToLoad].map((file) => relative(projectDir, file)).sort(),
        durationMs: performance.now() - started,
        errors,
      }
    },
  }
}
