import { defineStep } from 'motia-like'
import type { Upload } from './upload-record.ts'

const keepMs = 24 * 60 * 60 * 1000

export const { config, handler } = defineStep(
  {
    type: 'cron',
    name: 'CleanupUploads',
    description: 'Every hour, removes finished uploads older than a day.',
    cron: '0 * * * *',
    emits: [],
    flows: ['uploads'],
  },
  async ({ state, logger }) => {
    const uploads = await state.getGroup<Upload>('uploads')
    const expired = uploads.filter((upload) => upload.finishedAt !== undefined && Date.now() - upload.finishedAt > keepMs)
    for (const upload of expired) await state.delete('uploads', upload.id)
    logger.info('Old uploads removed', { removed: expired.length, kept: uploads.length - expired.length })
  },
)
