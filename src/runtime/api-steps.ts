import type { Step } from '../steps/step.ts'

/** The API steps mounted now; the HTTP layer serves them, and hot reload swaps them while it runs. */
export interface ApiSteps {
  mount(step: Step): void
  unmount(step: Step): void
  /** The mounted API steps in the order routes are tried. */
  list(): Step[]
  routes(): { method: string; path: string; step: string }[]
  /** Grows on every mount and unmount, so a server knows when to rebuild its router. */
  readonly version: number
}

/** Static segments win over parameters, so `/jobs/stats` is tried before `/jobs/:id`. */
function specificity(path: string): [number, number] {
  const params = path.split('/').filter((segment) => segment.startsWith(':') || segment.startsWith('*')).length
  return [params, -path.length]
}

/** API steps in the order routes are tried: fewer parameters first, then longer paths. */
function byRoutePrecedence(steps: Step[]): Step[] {
  const pathOf = (step: Step) => (step.config.type === 'api' ? step.config.path : '')
  return steps.sort((a, b) => {
    const [pa, la] = specificity(pathOf(a))
    const [pb, lb] = specificity(pathOf(b))
    return pa - pb || la - lb
  })
}

/** Creates the table of mounted API steps. */
export function createApiSteps(): ApiSteps {
  const mounted = new Map<string, Step>()
  let ordered: Step[] | null = null
  let version = 0
  return {
    mount(step) {
      mounted.set(step.name, step)
      ordered = null
      version++
    },
    unmount(step) {
      mounted.delete(step.name)
      ordered = null
      version++
    },
    list() {
      ordered ??= byRoutePrecedence([...mounted.values()])
      return ordered
    },
    routes() {
      return [...mounted.values()].flatMap((step) =>
        step.config.type === 'api' ? [{ method: step.config.method, path: step.config.path, step: step.name }] : [],
      )
    },
    get version() {
      return version
    },
  }
}
