import type { Job } from '../../queue/queue.ts'
import { CliError } from '../cli-error.ts'
import { requestJson } from '../http-client.ts'
import { toServerUrl } from '../options.ts'

interface ClientFlags {
  port?: string
  host?: string
  url?: string
  json?: boolean
}

function time(ms: number | null): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-'
}

/** A waiting job's status with why it waits: `pending (rate-limited until 2026-01-01 10:00:00)`. */
function toStatus(job: Job): string {
  if (!job.wait) return job.status.padEnd(9)
  return `${job.status} (${job.wait.reason}${job.wait.until === null ? '' : ` until ${time(job.wait.until)}`})`
}

function toLine(job: Job): string {
  return [job.id, toStatus(job), job.step.padEnd(24), job.topic.padEnd(24), `${job.attempts}/${job.maxAttempts}`, time(job.createdAt)].join('  ')
}

/** `motia-like jobs list`. */
export async function listJobs(flags: ClientFlags & { status?: string; step?: string; topic?: string; search?: string; limit: string }): Promise<void> {
  const query = new URLSearchParams()
  for (const key of ['status', 'step', 'topic', 'search', 'limit'] as const) {
    const value = flags[key]
    if (value) query.set(key, value)
  }
  const result = (await requestJson(toServerUrl(flags), 'GET', `/__motia/jobs?${query}`)) as { jobs: Job[]; total: number }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    return
  }
  process.stdout.write(`${result.jobs.map(toLine).join('\n')}${result.jobs.length ? '\n' : ''}`)
  process.stdout.write(`${result.jobs.length} of ${result.total} job(s)\n`)
}

/** `motia-like jobs show|retry|cancel <id>`. */
export async function jobAction(verb: 'show' | 'retry' | 'cancel', id: string, flags: ClientFlags): Promise<void> {
  const path = `/__motia/jobs/${encodeURIComponent(id)}${verb === 'show' ? '' : `/${verb}`}`
  const job = (await requestJson(toServerUrl(flags), verb === 'show' ? 'GET' : 'POST', path)) as Job
  if (flags.json || verb === 'show') {
    process.stdout.write(`${JSON.stringify(job, null, 2)}\n`)
    return
  }
  process.stdout.write(`${toLine(job)}\n`)
}

/** `motia-like jobs retry <id>`, or `jobs retry --all [--status S] [--step S] [--topic T]` to replay every match. */
export async function retryJobs(
  id: string | undefined,
  flags: ClientFlags & { all?: boolean; status?: string; step?: string; topic?: string },
): Promise<void> {
  if (!flags.all) {
    if (id === undefined) throw new CliError('Pass the id of the job to retry, or --all to retry every dead job.')
    if (flags.status || flags.step || flags.topic) {
      throw new CliError('--status, --step and --topic only apply with --all. Drop them or drop the job id.')
    }
    await jobAction('retry', id, flags)
    return
  }
  if (id !== undefined) throw new CliError(`Pass either a job id ("${id}") or --all, not both.`)
  const body: Record<string, string> = {}
  for (const key of ['status', 'step', 'topic'] as const) {
    const value = flags[key]
    if (value) body[key] = value
  }
  const result = (await requestJson(toServerUrl(flags), 'POST', '/__motia/jobs/retry', body)) as { retried: number }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    return
  }
  process.stdout.write(`Retried ${result.retried} ${body['status'] ?? 'dead'} job(s).\n`)
}
