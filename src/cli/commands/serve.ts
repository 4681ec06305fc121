import { relative } from 'node:path'
import { loadEnvFile } from '../../runtime/load-env.ts'
import { startApp } from '../../app/start-app.ts'
import { type ServerFlags, toHost, toPort, toProjectDir } from '../options.ts'
import { paint, printBanner, printReload } from '../print-banner.ts'

/** `motia-like dev` and `motia-like start`: serve until SIGINT or SIGTERM, then close in order. */
export async function serve(mode: 'dev' | 'start', flags: ServerFlags): Promise<void> {
  const started = performance.now()
  const projectDir = toProjectDir(flags.dir)
  if (mode === 'start') loadEnvFile(projectDir)
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
  const app =
    mode === 'dev'
      ? await (await import('../../dev/start-dev.ts')).startDev({
          ...options,
          onReload: printReload,
          onRestart: (file, restarted) => {
            process.stdout.write(`${paint('cyan', `${relative(projectDir, file)} changed: runtime restarted`)}\n`)
            printBanner(restarted, mode, 0, options.workbench)
          },
        })
      : await startApp({ ...options, mode })
  printBanner(app, mode, performance.now() - started, options.workbench)
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\n${signal} received: finishing running jobs, then stopping.\n`)
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}
