import type { JobStatsInput } from './job-store.ts'
import type { JobStats, JobStatus } from './queue.ts'

const statuses: readonly JobStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled', 'dead', 'skipped']

/** The value at percentile `p` (0-100) of ascending `sorted`, by nearest rank; null when empty. */
export function toPercentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] ?? null
}

/** Turns what a store counted into the `stats()` answer at time `now`. */
export function toJobStats(input: JobStatsInput, now: number): JobStats {
  const byStatus = Object.fromEntries(statuses.map((status) => [status, 0])) as Record<JobStatus, number>
  const byStep: Record<string, Partial<Record<JobStatus, number>>> = {}
  for (const { step, status, count } of input.counts) {
    byStatus[status] += count
    const stepCounts = (byStep[step] ??= {})
    stepCounts[status] = (stepCounts[status] ?? 0) + count
  }
  const runTimes = input.runTimesMs.slice().sort((a, b) => a - b)
  return {
    byStatus,
    byStep,
    depth: byStatus.pending + byStatus.failed,
    oldestPendingAgeMs:
      input.oldestPendingCreatedAt === null ? null : Math.max(0, now - input.oldestPendingCreatedAt),
    runTimeMs: { p50: toPercentile(runTimes, 50), p95: toPercentile(runTimes, 95) },
  }
}
