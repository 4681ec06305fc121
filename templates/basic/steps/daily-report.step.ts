import type { CronConfig, CronHandler } from 'motia-like'

export const config = {
  type: 'cron',
  name: 'DailyReport',
  cron: '0 9 * * *',
  emits: [],
  flows: ['hello'],
} satisfies CronConfig

export const handler: CronHandler = async ({ state, logger }) => {
  const greetings = await state.getGroup('greetings')
  logger.info('Daily report', { greetings: greetings.length })
}
