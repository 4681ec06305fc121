import type { Step } from '../steps/step.ts'
import { compareStrings } from './compare-strings.ts'
import type { GraphWarning } from './flow-graph.ts'
import { toEmitLinks, toSubscribeLinks } from './topic-links.ts'

/** Topic names with at least one emitter, and with at least one subscriber. */
export interface TopicSets {
  emitted: ReadonlySet<string>
  subscribed: ReadonlySet<string>
}

/** The wiring warnings of a whole project, sorted by step, then code, then topic. */
export function toGraphWarnings(steps: readonly Step[], topics: TopicSets): GraphWarning[] {
  const warnings: GraphWarning[] = []
  for (const step of steps) {
    const where = `Step "${step.name}" (${step.relativeFile})`
    for (const link of toEmitLinks(step)) {
      if (topics.subscribed.has(link.topic)) continue
      const field = link.virtual ? 'virtualEmits' : 'emits'
      warnings.push({
        code: 'topic-not-subscribed',
        message: `${where} ${link.virtual ? 'virtually emits' : 'emits'} "${link.topic}", which no step subscribes to. Add a step that subscribes to it or remove it from ${field}.`,
        step: step.name,
        topic: link.topic,
      })
    }
    for (const link of toSubscribeLinks(step)) {
      if (topics.emitted.has(link.topic)) continue
      const field = link.virtual ? 'virtualSubscribes' : 'subscribes'
      warnings.push({
        code: 'topic-not-emitted',
        message: `${where} subscribes to "${link.topic}", which no step emits, so it can only arrive through POST /emit. Add a step that emits it or remove it from ${field}.`,
        step: step.name,
        topic: link.topic,
      })
    }
    if (step.type === 'event' && step.subscribes.length === 0) {
      warnings.push({
        code: 'step-without-subscriptions',
        message: `${where} subscribes to no topic, so it never runs. Add a topic to its config.subscribes or remove the step.`,
        step: step.name,
      })
    }
    if (step.flows.length === 0) {
      warnings.push({
        code: 'step-without-flow',
        message: `${where} is in no flow, so flow views leave it out. Add a flow name to its config.flows.`,
        step: step.name,
      })
    }
  }
  return warnings.sort(
    (a, b) =>
      compareStrings(a.step ?? '', b.step ?? '') ||
      compareStrings(a.code, b.code) ||
      compareStrings(a.topic ?? '', b.topic ?? ''),
  )
}
