/** Ends a running tick's claim, so the next tick of the step may start. */
export type CronRelease = () => Promise<void>

/** Decides which process runs a cron tick when several share the work, and whether a tick of a step is running. */
export interface CronLock {
  /** True when this process should run the tick of `step` scheduled at `tickAt` (ms). */
  acquire(step: string, tickAt: number): Promise<boolean>
  /** Claims "a tick of `step` is running" wherever the lock reaches; null while another tick holds it. */
  begin(step: string): Promise<CronRelease | null>
}

/** The lock of a single process: every tick is ours, and a step's running tick is known in memory. */
export function createLocalCronLock(): CronLock {
  const running = new Set<string>()
  return {
    acquire: async () => true,
    async begin(step) {
      if (running.has(step)) return null
      running.add(step)
      return async () => {
        running.delete(step)
      }
    },
  }
}
