/** Decides which process runs a cron tick when several share the work. */
export interface CronLock {
  /** True when this process should run the tick of `step` scheduled at `tickAt` (ms). */
  acquire(step: string, tickAt: number): Promise<boolean>
}

/** The lock of a single process: every tick is ours. */
export const localCronLock: CronLock = {
  acquire: async () => true,
}
