import type { StepFiles } from './project.ts'

/** The paced step's limit in the rate-limit scenario: starts per second. */
export const PACED_PER_SECOND = 500

/** Start times of the paced step, and a long poll for the count of starts in the first `ms` after the first. */
const pacedStarts = `const starts: number[] = []

export function recordStart(): void {
  starts.push(Date.now())
}

/** Resolves once \`ms\` passed since the first start, with how many starts fell in [first, first + ms). */
export async function startsWithin(ms: number): Promise<{ count: number; first: number | null }> {
  const deadline = Date.now() + 120_000
  while (starts.length === 0 || Date.now() < (starts[0] as number) + ms) {
    if (Date.now() > deadline) return { count: 0, first: null }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const first = starts[0] as number
  return { count: starts.filter((at) => at < first + ms).length, first }
}
`

const countingStep = (name: string, topic: string, queue: string): string => `import type { EventConfig, EventHandler } from 'motia-like'
import { countUp } from './fanout-counts.ts'

export const config = { type: 'event', name: '${name}', subscribes: ['${topic}'], emits: [], infrastructure: { queue: ${queue} } } satisfies EventConfig

export const handler: EventHandler<{ run: string }> = async (input) => {
  countUp(input.run)
}
`

/**
 * POST /topic-fanout {run, n, topic} emits n events at once to one of: Free (no limit), Limited (a rate
 * limit that never binds) or Paced (PACED_PER_SECOND a second); GET /count/:run counts Free and
 * Limited runs, GET /paced-window?ms= counts Paced starts in the first ms after its first.
 */
export function rateLimitProject(base: StepFiles): StepFiles {
  return {
    'fanout-counts.ts': base['fanout-counts.ts'] as string,
    'count-read.step.ts': base['count-read.step.ts'] as string,
    'paced-starts.ts': pacedStarts,
    'topic-fanout.step.ts': `import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { z } from 'zod'

const bodySchema = z.object({ run: z.string(), n: z.number().int().positive(), topic: z.enum(['bench.free', 'bench.limited', 'bench.paced']) })

export const config = {
  type: 'api', name: 'TopicFanout', method: 'POST', path: '/topic-fanout', bodySchema,
  emits: ['bench.free', 'bench.limited', 'bench.paced'],
} satisfies ApiRouteConfig

export const handler: ApiRouteHandler<z.infer<typeof bodySchema>> = async (req, { emit }) => {
  const { run, n, topic } = req.body
  await Promise.all(Array.from({ length: n }, (_, i) => emit({ topic, data: { run, i } })))
  return { status: 202, body: { run, n } }
}
`,
    'free.step.ts': countingStep('Free', 'bench.free', '{}'),
    'limited.step.ts': countingStep('Limited', 'bench.limited', '{ rateLimit: { limit: 1_000_000_000, periodMs: 1000 } }'),
    'paced.step.ts': `import type { EventConfig, EventHandler } from 'motia-like'
import { recordStart } from './paced-starts.ts'

export const config = {
  type: 'event', name: 'Paced', subscribes: ['bench.paced'], emits: [],
  infrastructure: { queue: { rateLimit: { limit: ${PACED_PER_SECOND}, periodMs: 1000 } } },
} satisfies EventConfig

export const handler: EventHandler = async () => {
  recordStart()
}
`,
    'paced-window.step.ts': `import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { startsWithin } from './paced-starts.ts'

export const config = { type: 'api', name: 'PacedWindow', method: 'GET', path: '/paced-window', emits: [] } satisfies ApiRouteConfig

export const handler: ApiRouteHandler = async (req) => ({ status: 200, body: await startsWithin(Number(req.queryParams['ms'] ?? 10_000)) })
`,
  }
}
