import type { CorsSettings } from './cors-settings.ts'
import type { StreamAuthConfig } from '../streams/stream-types.ts'

/** `motia-like.config.ts`: what a project can set besides environment variables (which win). */
export interface ProjectConfig {
  /** Run on Redis (BullMQ queue, Redis state, one cron tick per cluster) instead of the embedded store. */
  redis?: {
    url: string
    /** Key prefix, so several apps can share one Redis; default `motia`. */
    prefix?: string
    /** How long a worker's lock on a running job lasts before another process may take the job over; default 30000. */
    lockDurationMs?: number
  }
  /** Let browser pages on other origins call the API steps (never the built-in endpoints); off when absent. */
  cors?: CorsSettings
  admin?: {
    /** Ask every caller of the built-in endpoints for MOTIA_ADMIN_TOKEN, loopback included: set it behind a reverse proxy on the same host. */
    requireToken?: boolean
  }
  /** Who may connect to the stream socket: `authenticate` at upgrade, then each stream's `canAccess` per join. Without it streams are open. */
  streamAuth?: StreamAuthConfig
}

/**
 * Identity helper that types a project config.
 * @example
 * export default defineConfig({ redis: { url: 'redis://localhost:6379' }, cors: { origins: ['http://localhost:5173'] } })
 */
export function defineConfig(config: ProjectConfig): ProjectConfig {
  return config
}
