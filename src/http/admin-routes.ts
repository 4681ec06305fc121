import { type Request, type Response, Router } from 'express'
import { HttpError } from '../errors.ts'
import type { Job, JobFilter, JobStatus } from '../queue/queue.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import { toNumberCursor, toPageQuery } from './page-query.ts'

const schemaFields = new Set(['middleware', 'bodySchema', 'input', 'responseSchema'])
const jobStatuses: readonly JobStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled', 'dead', 'skipped']

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function toFilter(query: Request['query']): JobFilter {
  const status = str(query['status'])
  if (status && !jobStatuses.includes(status as JobStatus)) {
    throw new HttpError(400, 'BAD_FILTER', `Unknown job status "${status}". Use one of: ${jobStatuses.join(', ')}.`)
  }
  const { limit, cursor } = toPageQuery(query, 50, 1000)
  const offset = toNumberCursor(cursor) ?? Math.max(Number.parseInt(str(query['offset']) ?? '0', 10) || 0, 0)
  const filter: JobFilter = { limit, offset }
  if (status) filter.status = status as JobStatus
  for (const key of ['step', 'topic', 'traceId', 'search'] as const) {
    const value = str(query[key])
    if (value) filter[key] = value
  }
  return filter
}

const retryable: readonly JobStatus[] = ['dead', 'failed', 'cancelled']
const retryPageSize = 500

/** The jobs POST /__motia/jobs/retry replays: `{ status?: 'dead' | 'failed' | 'cancelled' (default dead), step?, topic? }`. */
function toRetryFilter(body: unknown): JobFilter & { status: JobStatus } {
  const given = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const status = given['status'] ?? 'dead'
  if (typeof status !== 'string' || !retryable.includes(status as JobStatus)) {
    throw new HttpError(400, 'BAD_FILTER', `Cannot retry jobs with status ${JSON.stringify(status)}. Use one of: ${retryable.join(', ')}.`)
  }
  const filter: JobFilter & { status: JobStatus } = { status: status as JobStatus }
  for (const key of ['step', 'topic'] as const) {
    const value = given[key]
    if (value === undefined) continue
    if (typeof value !== 'string' || value === '') {
      throw new HttpError(400, 'BAD_FILTER', `"${key}" must be a non-empty string. Leave it out to retry jobs of every ${key}.`)
    }
    filter[key] = value
  }
  return filter
}

export interface AdminOptions {
  /** True when a request may see the stacks of job errors (dev, or a token holder). */
  showsStacks(req: Request): boolean
}

/** The built-in endpoints: POST /emit and /__motia/*. */
export function createAdminRoutes(runtime: Runtime, options: AdminOptions): Router {
  const router = Router()

  const toJson = (req: Request, job: Job): Job => {
    if (options.showsStacks(req)) return job
    return { ...job, errors: job.errors.map(({ stack: _stack, ...rest }) => rest) }
  }
  const found = (res: Response, id: string, job: Job | null): job is Job => {
    if (job) return true
    res.status(404).json({ error: `No job with id "${id}".` })
    return false
  }

  router.post('/emit', async (req, res) => {
    const { topic, data, idempotencyKey } = (req.body ?? {}) as { topic?: unknown; data?: unknown; idempotencyKey?: unknown }
    if (typeof topic !== 'string' || topic === '') {
      throw new HttpError(400, 'BAD_EMIT', 'Body must be JSON {"topic": "name", "data": {...}}: "topic" is missing.')
    }
    if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey === '')) {
      throw new HttpError(400, 'BAD_EMIT', '"idempotencyKey" must be a non-empty string. Leave it out, or send the same key again to retry an emit safely.')
    }
    // A retry with the same key (after a 503 that may have queued the event) creates no second job.
    const traceId = await runtime.emit({ topic, data: data ?? {}, ...(idempotencyKey ? { idempotencyKey } : {}) })
    res.status(200).json({ success: true, emitted: { topic, data: data ?? {} }, traceId })
  })

  router.get('/__motia/graph', (req, res) => {
    res.json(runtime.graph(str(req.query['flow'])))
  })

  router.get('/__motia/steps', (_req, res) => {
    const graph = runtime.graph()
    const steps = runtime.registry.steps().map((step) => {
      const { input, body, responses } = step.jsonSchemas
      // Schemas are sent as JSON Schema below; middleware are functions.
      const config = Object.fromEntries(Object.entries(step.config).filter(([key]) => !schemaFields.has(key)))
      return {
        name: step.name,
        type: step.type,
        file: step.relativeFile,
        flows: step.flows,
        config: {
          ...config,
          ...(input ? { input } : {}),
          ...(body ? { bodySchema: body } : {}),
          ...(responses ? { responseSchema: responses } : {}),
        },
      }
    })
    res.json({
      steps: steps.sort((a, b) => a.name.localeCompare(b.name)),
      errors: runtime.registry.errors().map((error) => ({ ...error, file: error.file.replace(`${runtime.projectDir}/`, '') })),
      warnings: graph.warnings,
    })
  })

  router.post('/__motia/cron/:step/trigger', async (req, res) => {
    const name = req.params['step'] as string
    if (!(await runtime.cron.trigger(name))) {
      res.status(404).json({ error: `No cron step named "${name}".` })
      return
    }
    res.json({ step: name, triggered: true })
  })

  router.get('/__motia/state', async (req, res) => {
    res.json(await runtime.state.groupsPage(toPageQuery(req.query, 1000, 1000)))
  })

  router.get('/__motia/state/:group', async (req, res) => {
    const group = req.params['group'] as string
    res.json({ group, ...(await runtime.state.entriesPage(group, toPageQuery(req.query, 1000, 1000))) })
  })

  router.get('/__motia/jobs', async (req, res) => {
    const filter = toFilter(req.query)
    const { jobs, total } = await runtime.queue.list(filter)
    const next = (filter.offset ?? 0) + jobs.length
    res.json({ jobs: jobs.map((job) => toJson(req, job)), total, nextCursor: jobs.length > 0 && next < total ? String(next) : null })
  })

  router.get('/__motia/jobs/stats', async (_req, res) => {
    res.json(await runtime.queue.stats())
  })

  router.get('/__motia/jobs/:id', async (req, res) => {
    const id = req.params['id'] as string
    const job = await runtime.queue.get(id)
    if (found(res, id, job)) res.json(toJson(req, job))
  })

  const transition = (action: 'retry' | 'cancel', allowed: readonly JobStatus[]) =>
    async (req: Request, res: Response) => {
      const id = req.params['id'] as string
      const current = await runtime.queue.get(id)
      if (!found(res, id, current)) return
      if (!allowed.includes(current.status)) {
        res.status(409).json({
          error: `Job ${id} is ${current.status}; only ${allowed.join(', ')} jobs can be ${action === 'retry' ? 'retried' : 'cancelled'}.`,
        })
        return
      }
      const job = await runtime.queue[action](id)
      if (found(res, id, job)) res.json(toJson(req, job))
    }

  router.post('/__motia/jobs/retry', async (req, res) => {
    const filter = toRetryFilter(req.body)
    // Ids are collected before any retry, so a job that fails again at once is not retried twice.
    const ids = new Set<string>()
    for (let offset = 0; ; offset += retryPageSize) {
      const { jobs } = await runtime.queue.list({ ...filter, limit: retryPageSize, offset })
      for (const job of jobs) ids.add(job.id)
      if (jobs.length < retryPageSize) break
    }
    let retried = 0
    for (const id of ids) {
      const job = await runtime.queue.retry(id)
      if (job?.status === 'pending') retried += 1
    }
    res.json({ retried })
  })

  router.post('/__motia/jobs/:id/retry', transition('retry', ['dead', 'failed', 'cancelled']))
  router.post('/__motia/jobs/:id/cancel', transition('cancel', ['pending', 'failed']))

  return router
}
