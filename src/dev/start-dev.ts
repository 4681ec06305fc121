import { loadEnvFile } from '../runtime/load-env.ts'
import { type App, type AppOptions, startApp } from '../app/start-app.ts'
import { refreshTypes } from './refresh-types.ts'
import { createReloader, type ReloadReport } from './reloader.ts'
import { createWatcher, toModifiedTimes } from './watcher.ts'

export interface DevOptions extends Omit<AppOptions, 'mode'> {
  onReload?: (report: ReloadReport) => void
  onRestart?: (file: string, app: App) => void
}

/** `dev`: the app plus a watcher that hot-reloads steps and restarts the runtime on config changes. */
export interface DevApp {
  readonly url: string
  readonly runtime: App['runtime']
  readonly store: string
  close(): Promise<void>
}

/** Starts the project in dev mode and watches it. */
export async function startDev(options: DevOptions): Promise<DevApp> {
  loadEnvFile(options.projectDir)
  // Files saved from here until the watcher is ready are reloaded once it is (the server answers before that).
  const loaded = await toModifiedTimes(options.projectDir)
  let app = await startApp({ ...options, mode: 'dev' })
  let reloader = await createReloader(app.runtime)
  await refreshTypes(app.runtime)
  const port = Number(new URL(app.url).port)
  const logger = app.runtime.logger

  const watcher = createWatcher(
    options.projectDir,
    {
      async onChanges(changes) {
        const report = await reloader.apply(changes)
        options.onReload?.(report)
        await refreshTypes(app.runtime)
      },
      async onRestart(file) {
        await app.close()
        loadEnvFile(options.projectDir)
        // Same port, so open browser tabs and scripts keep working.
        app = await startApp({ ...options, mode: 'dev', port })
        reloader = await createReloader(app.runtime)
        await refreshTypes(app.runtime)
        options.onRestart?.(file, app)
      },
    },
    logger,
    { loaded },
  )
  await watcher.ready

  let closed: Promise<void> | undefined
  return {
    get url() {
      return app.url
    },
    get runtime() {
      return app.runtime
    },
    get store() {
      return app.store
    },
    close() {
      closed ??= watcher.close().then(() => app.close())
      return closed
    },
  }
}
