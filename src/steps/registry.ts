import { StepConfigError, toErrorMessage } from '../errors.ts'
import type { Step, StepLoadError } from './step.ts'

export type StepChange =
  | { type: 'added'; step: Step }
  | { type: 'updated'; step: Step; previous: Step }
  | { type: 'removed'; step: Step }

/** The live set of steps and load errors of a project, keyed by file. */
export interface StepRegistry {
  steps(): Step[]
  errors(): StepLoadError[]
  /** Steps that subscribe to a topic (cached; rebuilt on change). */
  subscribersOf(topic: string): readonly Step[]
  /** Adds or replaces the step of a file; a clash with another file's step becomes that file's load error. */
  set(step: Step): StepChange | null
  /** Records a load error; a step already loaded from that file stays live. */
  setError(file: string, error: unknown): void
  /** Removes the step (and any error) of a file. */
  remove(file: string): StepChange | null
  onChange(listener: (change: StepChange) => void): () => void
  /** Called after a load error is recorded or cleared; returns the function that stops it. */
  onErrorsChange(listener: () => void): () => void
}

function routeKey(step: Step): string | null {
  return step.config.type === 'api' ? `${step.config.method} ${step.config.path}` : null
}

/** Creates an empty registry. */
export function createStepRegistry(): StepRegistry {
  const byFile = new Map<string, Step>()
  const errorsByFile = new Map<string, StepLoadError>()
  const listeners = new Set<(change: StepChange) => void>()
  const errorListeners = new Set<() => void>()
  // The file holding each step name and route: a clash is one lookup, not a scan of every step.
  const fileByName = new Map<string, string>()
  const fileByRoute = new Map<string, string>()
  let topicIndex: Map<string, Step[]> | null = null

  function findClash(step: Step): string | null {
    const named = fileByName.get(step.name)
    const other = named !== undefined && named !== step.file ? byFile.get(named) : undefined
    if (other) {
      return `Step name "${step.name}" in ${step.relativeFile} is already used by ${other.relativeFile}. Step names must be unique: rename one of them.`
    }
    const route = routeKey(step)
    const routed = route ? fileByRoute.get(route) : undefined
    const server = routed !== undefined && routed !== step.file ? byFile.get(routed) : undefined
    if (route && server) {
      return `Route ${route} in ${step.relativeFile} (step "${step.name}") is already served by ${server.relativeFile} (step "${server.name}"). Change the path or method of one of them.`
    }
    return null
  }

  function index(step: Step): void {
    fileByName.set(step.name, step.file)
    const route = routeKey(step)
    if (route) fileByRoute.set(route, step.file)
  }

  function unindex(step: Step): void {
    if (fileByName.get(step.name) === step.file) fileByName.delete(step.name)
    const route = routeKey(step)
    if (route && fileByRoute.get(route) === step.file) fileByRoute.delete(route)
  }

  function changed(change: StepChange): StepChange {
    topicIndex = null
    for (const listener of listeners) listener(change)
    return change
  }

  function errorsChanged(): void {
    for (const listener of errorListeners) listener()
  }

  return {
    steps: () => [...byFile.values()],
    errors: () => [...errorsByFile.values()],
    subscribersOf(topic) {
      if (!topicIndex) {
        topicIndex = new Map()
        for (const step of byFile.values()) {
          for (const subscribed of step.subscribes) {
            const list = topicIndex.get(subscribed) ?? []
            list.push(step)
            topicIndex.set(subscribed, list)
          }
        }
      }
      return topicIndex.get(topic) ?? []
    },
    set(step) {
      const clash = findClash(step)
      if (clash) {
        this.setError(step.file, new StepConfigError(step.file, clash))
        return null
      }
      if (errorsByFile.delete(step.file)) errorsChanged()
      const previous = byFile.get(step.file)
      if (previous) unindex(previous)
      byFile.set(step.file, step)
      index(step)
      return changed(previous ? { type: 'updated', step, previous } : { type: 'added', step })
    },
    setError(file, error) {
      const line = error instanceof StepConfigError ? error.line : undefined
      errorsByFile.set(file, { file, message: toErrorMessage(error), ...(line ? { line } : {}) })
      errorsChanged()
    },
    remove(file) {
      if (errorsByFile.delete(file)) errorsChanged()
      const step = byFile.get(file)
      if (!step) return null
      byFile.delete(file)
      unindex(step)
      return changed({ type: 'removed', step })
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onErrorsChange(listener) {
      errorListeners.add(listener)
      return () => errorListeners.delete(listener)
    },
  }
}
