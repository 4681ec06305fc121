import type { Validate } from '../schema/validator.ts'
import type { ApiMiddleware, StepConfig, StepHandler, StepType } from '../types.ts'

/** A topic edge out of a step, normalized from `emits` / `virtualEmits`. */
export interface EmitSpec {
  topic: string
  label?: string
  conditional?: boolean
}

/** JSON Schemas of a step's schemas, converted once at load. */
export interface StepJsonSchemas {
  input?: Record<string, unknown>
  body?: Record<string, unknown>
  responses?: Record<string, Record<string, unknown>>
}

/** A step file after loading and validation: what every subsystem works from. */
export interface Step {
  name: string
  type: StepType
  /** Absolute path of the step file. */
  file: string
  /** Path relative to the project root, for messages. */
  relativeFile: string
  config: StepConfig
  flows: string[]
  emits: EmitSpec[]
  virtualEmits: EmitSpec[]
  subscribes: string[]
  virtualSubscribes: string[]
  /** Absent only on noop steps. */
  handler?: StepHandler
  middleware: ApiMiddleware[]
  jsonSchemas: StepJsonSchemas
  validators: { input?: Validate; body?: Validate }
}

/** A step file that could not be loaded. */
export interface StepLoadError {
  file: string
  line?: number
  message: string
}
