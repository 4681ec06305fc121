import { createRequire } from 'node:module'

type CronPackage = typeof import('cron')

let cron: CronPackage | undefined

/** The `cron` package (and luxon under it), loaded on first use: a project without cron steps never loads it. */
export function loadCron(): CronPackage {
  cron ??= createRequire(import.meta.url)('cron') as CronPackage
  return cron
}
