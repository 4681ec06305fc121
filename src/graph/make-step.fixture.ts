import type { EmitSpec, Step, StepJsonSchemas } from '../steps/step.ts'
import type { ApiRouteMethod, Emit, StepConfig, StepType } from '../types.ts'

/** The parts of a step that graph tests vary; everything else gets a plain default. */
export interface StepFixture {
  name: string
  type?: StepType
  flows?: string[]
  emits?: Emit[]
  virtualEmits?: Emit[]
  subscribes?: string[]
  virtualSubscribes?: string[]
  method?: ApiRouteMethod
  path?: string
  cron?: string
  jsonSchemas?: StepJsonSchemas
}

/** Builds a loaded `Step` record in memory, as the loader would, for graph tests. */
export function makeStep(fixture: StepFixture): Step {
  const { name, type = 'event', flows = ['main'], emits = [], virtualEmits = [], subscribes = [], virtualSubscribes = [] } = fixture
  const base = { name, flows, virtualEmits, virtualSubscribes }
  const configs: Record<StepType, StepConfig> = {
    api: { ...base, type: 'api', method: fixture.method ?? 'POST', path: fixture.path ?? `/${name}`, emits },
    event: { ...base, type: 'event', subscribes, emits },
    cron: { ...base, type: 'cron', cron: fixture.cron ?? '0 * * * *', emits },
    noop: { ...base, type: 'noop' },
  }
  const relativeFile = `steps/${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.step.ts`
  return {
    name,
    type,
    file: `/project/${relativeFile}`,
    relativeFile,
    config: configs[type],
    flows,
    emits: emits.map(toEmitSpec),
    virtualEmits: virtualEmits.map(toEmitSpec),
    subscribes,
    virtualSubscribes,
    ...(type !== 'noop' && { handler: () => undefined }),
    middleware: [],
    jsonSchemas: fixture.jsonSchemas ?? {},
    validators: {},
  }
}

function toEmitSpec(emit: Emit): EmitSpec {
  return typeof emit === 'string' ? { topic: emit } : emit
}
