import type { CronJob } from 'cron'
import { toErrorMessage } from '../errors.ts'
import type { Step } from '../steps/step.ts'
import type { Logger } from '../types.ts'
import { type CronLock, createLocalCronLock } from './cron-lock.ts'
import { loadCron } from './load-cron.ts'

/** Runs cron steps on their schedules. */
export interface CronScheduler {
  mount(step: Step): void
  unmount(step: Step): void
  /** Schedules of the mounted steps, by step name. */
  scheduled(): { step: string; cron: string; nextRun: string | null }[]
  /** Runs a mounted cron step now, outside its schedule; false when no such step is mounted. */
  trigger(name: string): Promise<boolean>
  close(): Promise<void>
}

export interface CronSchedulerOptions {
  /** Runs one tick; a rejection is logged and the schedule goes on. */
  runTick: (step: Step) => Promise<void>
  logger: Logger
  lock?: CronLock
}

/** Creates a scheduler on the `cron` package; each tick is wrapped so an error never stops the schedule. */
export function createCronScheduler(options: CronSchedulerOptions): CronScheduler {
  const lock = options.lock ?? createLocalCronLock()
  const jobs = new Map<string, { job: CronJob; cron: string; step: Step }>()

  async function tick(step: Step, tickAt: number): Promise<void> {
    try {
      if (!(await lock.acquire(step.name, tickAt))) return
      if (step.config.type === 'cron' && step.config.infrastructure?.cron?.overlap === 'allow') {
        await options.runTick(step)
        return
      }
      const release = await lock.begin(step.name)
      if (!release) {
        options.logger.debug(
          `Cron step "${step.name}" skipped its tick of ${new Date(tickAt).toISOString()}: the previous tick is still running (infrastructure.cron.overlap: 'allow' lets ticks overlap).`,
          { step: step.name },
        )
        return
      }
      try {
        await options.runTick(step)
      } finally {
        await release()
      }
    } catch (error) {
      options.logger.error(`Cron step "${step.name}" (${step.relativeFile}) failed: ${toErrorMessage(error)}`, {
        step: step.name,
        error,
      })
    }
  }

  return {
    mount(step) {
      if (step.config.type !== 'cron') return
      this.unmount(step)
      const { cron, timezone } = step.config
      // The lock key is the time the tick was scheduled for, which every process agrees on; when it fires
      // differs between processes (and by seconds on a busy one).
      let scheduledAt = 0
      const job: CronJob = loadCron().CronJob.from({
        cronTime: cron,
        onTick: () => {
          const tickAt = scheduledAt
          // The cron package re-arms before it calls onTick, so nextDate() is already the following tick.
          scheduledAt = job.nextDate().toMillis()
          void tick(step, tickAt)
        },
        start: true,
        ...(timezone ? { timeZone: timezone } : {}),
      })
      scheduledAt = job.nextDate().toMillis()
      jobs.set(step.name, { job, cron, step })
    },
    unmount(step) {
      jobs.get(step.name)?.job.stop()
      jobs.delete(step.name)
    },
    scheduled() {
      return [...jobs.entries()].map(([step, { job, cron }]) => ({
        step,
        cron,
        nextRun: job.nextDate().toISO(),
      }))
    },
    async trigger(name) {
      const mounted = jobs.get(name)
      if (!mounted) return false
      await options.runTick(mounted.step)
      return true
    },
    async close() {
      for (const { job } of jobs.values()) job.stop()
      jobs.clear()
    },
  }
}
