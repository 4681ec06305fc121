import { resolve } from 'node:path'
import { CliError } from './cli-error.ts'

export interface ServerFlags {
  dir?: string
  port?: string
  host?: string
  memory?: boolean
  /** Ask every caller of the admin endpoints for the token, loopback included. */
  requireToken?: boolean
  /** start: serve the Workbench (dev always does). */
  workbench?: boolean
  /** start: the folder `motia-like build` wrote. */
  build?: string
}

/** Project folder from --dir (default: the current folder). */
export function toProjectDir(dir: string | undefined): string {
  return resolve(dir ?? process.cwd())
}

/** Port from --port, then PORT, then 3000; 0 picks a free port. */
export function toPort(port: string | undefined): number {
  const raw = port ?? process.env['PORT'] ?? '3000'
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new CliError(`Invalid port "${raw}": use a whole number from 0 to 65535.`)
  }
  return value
}

/** Host from --host, then HOST, then 127.0.0.1 (loopback unless asked otherwise). */
export function toHost(host: string | undefined): string {
  return host ?? process.env['HOST'] ?? '127.0.0.1'
}

/** Base URL of a running server for the client commands. */
export function toServerUrl(flags: { port?: string; host?: string; url?: string }): string {
  if (flags.url) return flags.url.replace(/\/$/, '')
  const host = toHost(flags.host)
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${toPort(flags.port)}`
}
