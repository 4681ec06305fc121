import type { CronConfig, Handlers } from 'motia-like'

export const config = {
  type: 'cron',
  name: 'DailyReport',
  description: 'Every morning, records how many names were greeted.',
  cron: '0 9 * * *',
  emits: [],
  flows: ['hello'],
} satisfies CronConfig

export const handler: Handlers['DailyReport'] = async ({ state, logger }) => {
  const greetings = await state.getGroup('greetings')
  const day = new Date().toISOString().slice(0, 10)
  await state.set('reports', day, { greeted: greetings.length })
  logger.info('Daily report', { greeted: greetings.length })
}
