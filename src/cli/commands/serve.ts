import { relative } from 'node:path'
import { loadEnvFile } from '../../runtime/load-env.ts'
import { startApp } from '../../app/start-app.ts'
import { watchProcessFaults } from '../../app/watch-process-faults.ts'
import { createLogger } from '../../logger/create-logger.ts'
import type { Logger } from '../../types.ts'
import { type ServerFlags, toHost, toPort, toProjectDir } from '../options.ts'
import { paint, printBanner, printReload } from '../print-banner.ts'

/** `motia-like dev` and `motia-like start`: serve until SIGINT or SIGTERM, then close in order. */
export async function serve(mode: 'dev' | 'start', flags: ServerFlags): Promise<void> {
  const started = performance.now()
  const projectDir = toProjectDir(flags.dir)
  if (mode === 'start') loadEnvFile(projectDir)
  let stop = (_signal: string): void => {
    process.exit(1)
  }
  let app: { runtime: { logger: Logger } } | undefined
  let bootLogger: Logger | undefined
  // Before anything loads: a step file's floating rejection at import must not stop the server either.
  watchProcessFaults({
    logger: () => app?.runtime.logger ?? (bootLogger ??= createLogger()),
    shutdown: () => stop('A fatal error'),
  })
  const options = {
    projectDir,
    port: toPort(flags.port),
    host: toHost(flags.host),
    memory: flags.memory ?? false,
    bodyLimit: process.env['MOTIA_BODY_LIMIT'] ?? '1mb',
    adminToken: process.env['MOTIA_ADMIN_TOKEN'],
    ...(flags.requireToken ? { requireAdminToken: true } : {}),
    workbench: mode === 'dev' || flags.workbench === true || process.env['MOTIA_WORKBENCH'] === '1',
  }
  const server =
    mode === 'dev'
      ? await (await import('../../dev/start-dev.ts')).startDev({
          ...options,
          onReload: printReload,
          onRestart: (file, restarted) => {
            process.stdout.write(`${paint('cyan', `${relative(projectDir, file)} changed: runtime restarted`)}\n`)
            printBanner(restarted, mode, 0, options.workbench)
          },
        })
      : await startApp({ ...options, mode, ...(flags.build ? { buildDir: flags.build } : {}) })
  app = server
  printBanner(server, mode, performance.now() - started, options.workbench)
  let stopping = false
  stop = (signal: string) => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\n${signal} received: finishing running jobs, then stopping.\n`)
    const code = signal.startsWith('SIG') ? 0 : 1
    server.close().then(
      () => process.exit(code),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}
