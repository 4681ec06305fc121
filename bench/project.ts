import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { HELLO_BODY, repoRoot } from './server.ts'

/** Step files of a project, by path relative to its `steps/` folder. */
export type StepFiles = Record<string, string>

/** A temporary folder holding every generated project of one bench run. */
export interface Workspace {
  root: string
  /** Writes a project folder whose node_modules links `motia-like` and `zod` to this checkout. */
  project(name: string, files: StepFiles): string
  remove(): void
}

export function createWorkspace(): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'motia-like-bench-'))
  return {
    root,
    project(name, files) {
      const dir = join(root, name)
      mkdirSync(join(dir, 'node_modules'), { recursive: true })
      symlinkSync(repoRoot, join(dir, 'node_modules', 'motia-like'), 'dir')
      symlinkSync(join(repoRoot, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir')
      // As a project made from templates/ has it: step files are ES modules.
      writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: name, private: true, type: 'module' })}\n`)
      for (const [file, source] of Object.entries(files)) writeStep(dir, file, source)
      return dir
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}

/** Writes (or overwrites) one step file of a project. */
export function writeStep(projectDir: string, file: string, source: string): void {
  const path = join(projectDir, 'steps', file)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, source)
}

/** GET /hello answering `{ message }`; the reload scenario rewrites it with other messages. */
export function helloStep(message = HELLO_BODY.message): string {
  return `import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'

export const config = { type: 'api', name: 'Hello', method: 'GET', path: '/hello', emits: [] } satisfies ApiRouteConfig

export const handler: ApiRouteHandler = async () => ({ status: 200, body: { message: ${JSON.stringify(message)} } })
`
}

function chainLink(name: string, from: string, to: string): string {
  return `import type { EventConfig, EventHandler } from 'motia-like'
import { z } from 'zod'

const input = z.object({ id: z.string(), run: z.string().optional() })

export const config = { type: 'event', name: '${name}', subscribes: ['${from}'], emits: ['${to}'], input } satisfies EventConfig

export const handler: EventHandler<z.infer<typeof input>> = async (input, { emit }) => {
  await emit({ topic: '${to}', data: input })
}
`
}

/** POST `path` {id}: emits `topic` and answers 202. */
function chainStart(name: string, path: string, topic: string): string {
  return `import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { z } from 'zod'

const bodySchema = z.object({ id: z.string() })

export const config = { type: 'api', name: '${name}', method: 'POST', path: '${path}', bodySchema, emits: ['${topic}'] } satisfies ApiRouteConfig

export const handler: ApiRouteHandler<z.infer<typeof bodySchema>> = async (req, { emit }) => {
  await emit({ topic: '${topic}', data: { id: req.body.id } })
  return { status: 202, body: { id: req.body.id } }
}
`
}

/** Events counted per run in the server, shared by the counting steps and GET /count/:run. */
const fanoutCounts = `/** Events counted per run; shared by the counting steps and GET /count/:run. */
const counts = new Map<string, number>()
const waiters = new Map<string, Array<{ atLeast: number; resolve: () => void }>>()

/** Counts one event; as cheap as a counter until a waiter's count is reached, so the bench measures the server. */
export function countUp(run: string): void {
  const count = (counts.get(run) ?? 0) + 1
  counts.set(run, count)
  const list = waiters.get(run)
  if (list === undefined || !list.some((waiter) => waiter.atLeast <= count)) return
  waiters.set(run, list.filter((waiter) => waiter.atLeast > count))
  for (const waiter of list) if (waiter.atLeast <= count) waiter.resolve()
}

export function countOf(run: string): number {
  return counts.get(run) ?? 0
}

/** Resolves once the run counted atLeast events, or after timeoutMs: a long poll, so the bench does not load the server it measures. */
export function whenCounted(run: string, atLeast: number, timeoutMs: number): Promise<void> {
  if (countOf(run) >= atLeast) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs)
    const list = waiters.get(run) ?? []
    list.push({ atLeast, resolve: () => { clearTimeout(timer); resolve() } })
    waiters.set(run, list)
  })
}
`

/** GET /count/:run[?atLeast=N]: the count of a run, answered once it reaches N (a long poll). */
const countReadStep = `import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { countOf, whenCounted } from './fanout-counts.ts'

export const config = { type: 'api', name: 'CountRead', method: 'GET', path: '/count/:run', emits: [] } satisfies ApiRouteConfig

// GET /count/:run?atLeast=N answers once N events were counted (or after 2 minutes).
export const handler: ApiRouteHandler = async (req) => {
  const run = req.pathParams['run'] ?? ''
  const atLeast = Number(req.queryParams['atLeast'] ?? 0)
  if (atLeast > 0) await whenCounted(run, atLeast, 120_000)
  return { status: 200, body: { run, count: countOf(run) } }
}
`

/**
 * The project the throughput scenarios run against: GET /hello; POST /chain through three event
 * steps to a state write; POST /chains starting n chains at once; POST /fanout emitting n events to a
 * counting step (one at a time or all at once), read by GET /count/:run. With `python`, also POST
 * /py-chain: the same chain with a Python first step; with `ruby`, POST /rb-chain with a Ruby one
 * (their worker pools are left out of the others, so the memory rows measure TypeScript projects).
 */
export function benchProject(options: { python?: boolean; ruby?: boolean } = {}): StepFiles {
  return {
    ...(options.python ? pythonChainSteps() : {}),
    ...(options.ruby ? rubyChainSteps() : {}),
    'hello.step.ts': helloStep(),
    'chain-start.step.ts': chainStart('ChainStart', '/chain', 'chain.a'),
    'chain-a.step.ts': chainLink('ChainA', 'chain.a', 'chain.b'),
    'chain-b.step.ts': chainLink('ChainB', 'chain.b', 'chain.c'),
    'chain-c.step.ts': `import type { EventConfig, EventHandler } from 'motia-like'
import { z } from 'zod'
import { countUp } from './fanout-counts.ts'

const input = z.object({ id: z.string(), run: z.string().optional() })

export const config = { type: 'event', name: 'ChainC', subscribes: ['chain.c'], emits: [], input } satisfies EventConfig

export const handler: EventHandler<z.infer<typeof input>> = async (input, { state }) => {
  if (input.run === undefined) {
    await state.set(\`chain-\${input.id}\`, 'done', { id: input.id, at: Date.now() })
    return
  }
  await state.set(\`chains-\${input.run}\`, input.id, { at: Date.now() })
  countUp(input.run)
}
`,
    'chains.step.ts': `import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { z } from 'zod'

const bodySchema = z.object({ run: z.string(), n: z.number().int().positive() })

export const config = { type: 'api', name: 'Chains', method: 'POST', path: '/chains', bodySchema, emits: ['chain.a'] } satisfies ApiRouteConfig

export const handler: ApiRouteHandler<z.infer<typeof bodySchema>> = async (req, { emit }) => {
  const { run, n } = req.body
  await Promise.all(Array.from({ length: n }, (_, i) => emit({ topic: 'chain.a', data: { id: String(i), run } })))
  return { status: 202, body: { run, n } }
}
`,
    'fanout.step.ts': `import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { z } from 'zod'

const bodySchema = z.object({ run: z.string(), n: z.number().int().positive(), mode: z.enum(['sequential', 'together']) })

export const config = { type: 'api', name: 'Fanout', method: 'POST', path: '/fanout', bodySchema, emits: ['bench.tick'] } satisfies ApiRouteConfig

export const handler: ApiRouteHandler<z.infer<typeof bodySchema>> = async (req, { emit }) => {
  const { run, n, mode } = req.body
  if (mode === 'sequential') {
    for (let i = 0; i < n; i++) await emit({ topic: 'bench.tick', data: { run, i } })
  } else {
    await Promise.all(Array.from({ length: n }, (_, i) => emit({ topic: 'bench.tick', data: { run, i } })))
  }
  return { status: 202, body: { run, n } }
}
`,
    'fanout-counts.ts': fanoutCounts,
    'count-tick.step.ts': `import type { EventConfig, EventHandler } from 'motia-like'
import { z } from 'zod'
import { countUp } from './fanout-counts.ts'

const input = z.object({ run: z.string(), i: z.number() })

export const config = { type: 'event', name: 'CountTick', subscribes: ['bench.tick'], emits: [], input } satisfies EventConfig

export const handler: EventHandler<z.infer<typeof input>> = async (input, { state }) => {
  await state.set(\`fanout-\${input.run}\`, String(input.i), { i: input.i })
  countUp(input.run)
}
`,
    'count-read.step.ts': countReadStep,
  }
}

/** A project of `stepCount` step files: GET /hello plus pairs of an API step and the event step it feeds. */
export function sizedProject(stepCount: number): StepFiles {
  const files: StepFiles = { 'hello.step.ts': helloStep() }
  for (let k = 1; Object.keys(files).length < stepCount; k++) {
    files[`items/item-${k}.step.ts`] = itemApiStep(k)
    if (Object.keys(files).length < stepCount) files[`items/item-${k}-created.step.ts`] = itemEventStep(k)
  }
  return files
}

function itemApiStep(k: number): string {
  return `import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { z } from 'zod'

const bodySchema = z.object({ name: z.string().min(1) })

export const config = {
  type: 'api',
  name: 'CreateItem${k}',
  method: 'POST',
  path: '/items/${k}',
  bodySchema,
  emits: ['item-${k}.created'],
  flows: ['items'],
} satisfies ApiRouteConfig

export const handler: ApiRouteHandler<z.infer<typeof bodySchema>> = async (req, { emit }) => {
  await emit({ topic: 'item-${k}.created', data: { name: req.body.name } })
  return { status: 201, body: { ok: true } }
}
`
}

function itemEventStep(k: number): string {
  return `import type { EventConfig, EventHandler } from 'motia-like'
import { z } from 'zod'

const input = z.object({ name: z.string() })

export const config = {
  type: 'event',
  name: 'Item${k}Created',
  subscribes: ['item-${k}.created'],
  emits: [],
  input,
  flows: ['items'],
} satisfies EventConfig

export const handler: EventHandler<z.infer<typeof input>> = async (input, { state }) => {
  await state.set('items-${k}', input.name, { name: input.name, at: Date.now() })
}
`
}

/**
 * The project of the Redis fan-out: POST /noop-fanout {run, n} emits n events at once to a step that
 * only counts them; GET /count/:run?atLeast=n answers once it counted n.
 */
export function noopFanoutProject(): StepFiles {
  return {
    'noop-fanout.step.ts': `import type { ApiRouteConfig, ApiRouteHandler } from 'motia-like'
import { z } from 'zod'

const bodySchema = z.object({ run: z.string(), n: z.number().int().positive() })

export const config = { type: 'api', name: 'NoopFanout', method: 'POST', path: '/noop-fanout', bodySchema, emits: ['bench.noop'] } satisfies ApiRouteConfig

export const handler: ApiRouteHandler<z.infer<typeof bodySchema>> = async (req, { emit }) => {
  const { run, n } = req.body
  await Promise.all(Array.from({ length: n }, (_, i) => emit({ topic: 'bench.noop', data: { run, i } })))
  return { status: 202, body: { run, n } }
}
`,
    'noop.step.ts': `import type { EventConfig, EventHandler } from 'motia-like'
import { z } from 'zod'
import { countUp } from './fanout-counts.ts'

const input = z.object({ run: z.string(), i: z.number() })

export const config = { type: 'event', name: 'Noop', subscribes: ['bench.noop'], emits: [], input } satisfies EventConfig

export const handler: EventHandler<z.infer<typeof input>> = async (input) => {
  countUp(input.run)
}
`,
    'fanout-counts.ts': fanoutCounts,
    'count-read.step.ts': countReadStep,
  }
}

/** POST /py-chain: a chain whose first event step is Python, joining the TypeScript chain at chain.b. */
function pythonChainSteps(): StepFiles {
  return {
    'py-chain-start.step.ts': chainStart('PyChainStart', '/py-chain', 'pychain.a'),
    'py_chain_a_step.py': `config = {
    "type": "event",
    "name": "PyChainA",
    "subscribes": ["pychain.a"],
    "emits": ["chain.b"],
    "input": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
}


async def handler(input, ctx):
    await ctx.emit({"topic": "chain.b", "data": input})
`,
  }
}

/** POST /rb-chain: a chain whose first event step is Ruby, joining the TypeScript chain at chain.b. */
function rubyChainSteps(): StepFiles {
  return {
    'rb-chain-start.step.ts': chainStart('RbChainStart', '/rb-chain', 'rbchain.a'),
    'rb_chain_a.step.rb': `def config
  {
    type: 'event',
    name: 'RbChainA',
    subscribes: ['rbchain.a'],
    emits: ['chain.b'],
    input: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }
  }
end

def handler(input, context)
  context.emit(topic: 'chain.b', data: input)
end
`,
  }
}
