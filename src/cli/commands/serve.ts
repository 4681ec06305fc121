import { startApp } from '../../runtime/start-app.ts'
import { type ServerFlags, toHost, toPort, toProjectDir } from '../options.ts'
import { printBanner } from '../print-banner.ts'

/** `motia-like dev` and `motia-like start`: serve until SIGINT or SIGTERM, then close in order. */
export async function serve(mode: 'dev' | 'start', flags: ServerFlags): Promise<void> {
  const started = performance.now()
  const app = await startApp({
    projectDir: toProjectDir(flags.dir),
    mode,
    port: toPort(flags.port),
    host: toHost(flags.host),
    memory: flags.memory ?? false,
    bodyLimit: process.env['MOTIA_BODY_LIMIT'] ?? '1mb',
    adminToken: process.env['MOTIA_ADMIN_TOKEN'],
  })
  printBanner(app, mode, performance.now() - started)
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
