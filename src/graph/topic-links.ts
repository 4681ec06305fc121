import type { EmitSpec, Step } from '../steps/step.ts'

/** One topic a step emits or subscribes to, with real and virtual declarations merged. */
export interface TopicLink {
  topic: string
  virtual: boolean
  label?: string
  conditional?: boolean
}

/** The topics a step emits, one link per topic; a real `emits` entry wins over a virtual one. */
export function toEmitLinks(step: Step): TopicLink[] {
  const links = new Map<string, TopicLink>()
  // Real emits go in first, so a virtual entry for the same topic can only add a missing label.
  const add = (spec: EmitSpec, virtual: boolean): void => {
    const label = spec.label === '' ? undefined : spec.label
    const existing = links.get(spec.topic)
    if (existing === undefined) {
      links.set(spec.topic, {
        topic: spec.topic,
        virtual,
        ...(label !== undefined && { label }),
        ...(spec.conditional === true && { conditional: true }),
      })
      return
    }
    if (existing.label === undefined && label !== undefined) existing.label = label
    if (spec.conditional === true && existing.virtual === virtual) existing.conditional = true
  }
  for (const spec of step.emits) add(spec, false)
  for (const spec of step.virtualEmits) add(spec, true)
  return [...links.values()]
}

/** The topics a step subscribes to, one link per topic; a real `subscribes` entry wins. */
export function toSubscribeLinks(step: Step): TopicLink[] {
  const links = new Map<string, TopicLink>()
  for (const topic of step.subscribes) links.set(topic, { topic, virtual: false })
  for (const topic of step.virtualSubscribes) if (!links.has(topic)) links.set(topic, { topic, virtual: true })
  return [...links.values()]
}
