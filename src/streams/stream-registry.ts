import { StepConfigError } from '../errors.ts'
import type { StreamDefinition } from './load-stream.ts'

/** Where a stream file's load error is recorded and cleared: the project's list of load errors. */
export interface LoadErrorSink {
  setError(file: string, error: unknown): void
  clearError(file: string): void
}

/** The live set of streams of a project, by name and by file. */
export interface StreamRegistry {
  get(name: string): StreamDefinition | undefined
  list(): StreamDefinition[]
  /** Adds or replaces the stream of a file; a name another file uses becomes this file's load error (false). */
  set(definition: StreamDefinition): boolean
  /** Removes the stream (and any load error) of a file. */
  remove(file: string): void
  /** Called after any stream was added, replaced or removed; returns the function that stops it. */
  onChange(listener: () => void): () => void
}

/** Creates an empty registry whose load errors go to `errors`. */
export function createStreamRegistry(errors: LoadErrorSink): StreamRegistry {
  const byFile = new Map<string, StreamDefinition>()
  const byName = new Map<string, StreamDefinition>()
  const listeners = new Set<() => void>()
  const changed = (): void => {
    for (const listener of listeners) listener()
  }

  return {
    get: (name) => byName.get(name),
    list: () => [...byName.values()],
    set(definition) {
      const holder = byName.get(definition.name)
      if (holder && holder.file !== definition.file) {
        const message = `Stream name "${definition.name}" in ${definition.relativeFile} is already used by ${holder.relativeFile}. Stream names must be unique: rename one of them.`
        errors.setError(definition.file, new StepConfigError(definition.file, message))
        return false
      }
      const previous = byFile.get(definition.file)
      if (previous) byName.delete(previous.name)
      byFile.set(definition.file, definition)
      byName.set(definition.name, definition)
      errors.clearError(definition.file)
      changed()
      return true
    },
    remove(file) {
      errors.clearError(file)
      const previous = byFile.get(file)
      if (!previous) return
      byFile.delete(file)
      byName.delete(previous.name)
      changed()
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
