import type { RootLogger } from '../logger/create-logger.ts'
import { pythonLanguage } from '../python/python-language.ts'
import { rubyLanguage } from '../ruby/ruby-language.ts'
import { createModuleImporter, type ModuleImporter } from '../steps/import-module.ts'
import type { WorkerLanguage } from './language.ts'
import { createWorkerPool, type WorkerPool } from './worker-pool.ts'
import { importWorkerStep } from './worker-step.ts'

/** Languages whose steps run in worker processes; everything else loads in-process through tsx. */
export const WORKER_LANGUAGES: readonly WorkerLanguage[] = [pythonLanguage, rubyLanguage]

/** The worker language of a file (a step file or a helper), if it has one. */
export function workerLanguageOf(file: string): WorkerLanguage | undefined {
  return WORKER_LANGUAGES.find((language) => language.isFile(file))
}

/** Imports every kind of step file of a project; `close()` stops the worker processes. */
export interface StepImporter extends ModuleImporter {
  close(): Promise<void>
}

/**
 * Creates a project's importer: TypeScript and JavaScript in-process (through tsx, or `moduleImporter`), Python and Ruby
 * step files through a pool of workers per language that starts with the first step file of it.
 */
export function createStepImporter(projectDir: string, logger: RootLogger, moduleImporter?: ModuleImporter): StepImporter {
  const importer = moduleImporter ?? createModuleImporter(projectDir)
  const pools = new Map<WorkerLanguage, WorkerPool>(
    WORKER_LANGUAGES.map((language) => [language, createWorkerPool(language, { projectDir, logger })]),
  )
  return {
    async ready(file) {
      if (!workerLanguageOf(file)) await importer.ready?.(file)
    },
    import(file) {
      const language = workerLanguageOf(file)
      const pool = language && pools.get(language)
      return language && pool ? importWorkerStep(language, pool, projectDir, file) : importer.import(file)
    },
    renew() {
      importer.renew()
      for (const pool of pools.values()) pool.renew()
    },
    async close() {
      await Promise.allSettled([...pools.values()].map((pool) => pool.close()))
    },
  }
}
