import { join } from 'node:path'
import { type HttpServer, listen } from '../http/listen.ts'
import { createHttpApp } from '../http/create-http-app.ts'
import { createLogger, type RootLogger } from '../logger/create-logger.ts'
import { createMemoryQueue } from '../queue/memory-queue.ts'
import { createMemoryStateStore } from '../state/memory-state.ts'
import { createSqliteStateStore } from '../state/sqlite-state.ts'
import type { StateStore } from '../state/state-store.ts'
import { createRuntime, type Runtime } from './create-runtime.ts'

export interface AppOptions {
  projectDir: string
  mode: 'dev' | 'start'
  port: number
  host: string
  /** In-process state instead of the SQLite file. */
  memory?: boolean
  bodyLimit?: string
  adminToken?: string
  logger?: RootLogger
}

/** A running project: runtime plus HTTP server. */
export interface App {
  url: string
  runtime: Runtime
  close(): Promise<void>
}

/** Where the embedded store lives inside a project. */
export function dataFile(projectDir: string): string {
  return join(projectDir, '.motia-like', 'data.db')
}

/** Loads the project, mounts its steps and starts serving HTTP. */
export async function startApp(options: AppOptions): Promise<App> {
  const logger = options.logger ?? createLogger()
  const state: StateStore = options.memory
    ? createMemoryStateStore()
    : createSqliteStateStore({ file: dataFile(options.projectDir) })
  const runtime = createRuntime({ projectDir: options.projectDir, queue: createMemoryQueue(), state, logger })
  let server: HttpServer | undefined
  try {
    await runtime.load()
    const app = createHttpApp(runtime, {
      mode: options.mode,
      bodyLimit: options.bodyLimit ?? '1mb',
      adminToken: options.adminToken,
    })
    server = await listen(app, options.port, options.host)
  } catch (error) {
    await runtime.close()
    throw error
  }
  const http = server
  let closed: Promise<void> | undefined
  return {
    url: http.url,
    runtime,
    close() {
      // Reverse order of start: stop taking requests, then let the runtime drain and close stores.
      closed ??= http.close().then(() => runtime.close())
      return closed
    },
  }
}
