import type { CronConfig, CronHandler } from 'motia-like'
import type { JobRecord } from './job-record.ts'

const maxAgeMs = 24 * 60 * 60 * 1000

export const config = {
  type: 'cron',
  name: 'CleanupJobs',
  description: 'Every hour, removes job records older than a day.',
  cron: '0 * * * *',
  emits: [],
  flows: ['file-processing'],
} satisfies CronConfig

export const handler: CronHandler = async ({ state, logger }) => {
  const jobs = await state.getGroup<JobRecord>('jobs')
  const expired = jobs.filter((job) => Date.now() - job.createdAt > maxAgeMs)
  for (const job of expired) await state.delete('jobs', job.jobId)
  logger.info('Old job records removed', { removed: expired.length, kept: jobs.length - expired.length })
}
