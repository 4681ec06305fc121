import { describe, expect, it } from 'vitest'
import { makeStep, type StepFixture } from '../graph/make-step.fixture.ts'
import { createStepRegistry } from './registry.ts'
import type { Step } from './step.ts'

/** A step of the given file (relative to /project). */
function stepIn(relativeFile: string, fixture: StepFixture): Step {
  return { ...makeStep(fixture), file: `/project/${relativeFile}`, relativeFile }
}

describe('step registry', () => {
  it('refuses a second file using a step name, naming both files; the first keeps the name until it is removed', () => {
    const registry = createStepRegistry()
    expect(registry.set(stepIn('steps/a.step.ts', { name: 'Send' }))?.type).toBe('added')
    expect(registry.set(stepIn('steps/b.step.ts', { name: 'Send' }))).toBeNull()
    expect(registry.errors()).toEqual([
      {
        file: '/project/steps/b.step.ts',
        message: 'Step name "Send" in steps/b.step.ts is already used by steps/a.step.ts. Step names must be unique: rename one of them.',
      },
    ])
    registry.remove('/project/steps/a.step.ts')
    expect(registry.set(stepIn('steps/b.step.ts', { name: 'Send' }))?.type).toBe('added')
    expect(registry.errors()).toEqual([])
    expect(registry.steps().map((step) => step.relativeFile)).toEqual(['steps/b.step.ts'])
  })

  it('refuses a second file serving a method and path; a renamed or moved step frees its old name and route', () => {
    const registry = createStepRegistry()
    registry.set(stepIn('steps/a.step.ts', { name: 'A', type: 'api', method: 'GET', path: '/items' }))
    expect(registry.set(stepIn('steps/b.step.ts', { name: 'B', type: 'api', method: 'GET', path: '/items' }))).toBeNull()
    expect(registry.errors()[0]?.message).toBe(
      'Route GET /items in steps/b.step.ts (step "B") is already served by steps/a.step.ts (step "A"). Change the path or method of one of them.',
    )
    expect(registry.set(stepIn('steps/b.step.ts', { name: 'B', type: 'api', method: 'POST', path: '/items' }))?.type).toBe('added')

    // The same file loaded again under another name and path: the old ones are free for other files.
    expect(registry.set(stepIn('steps/a.step.ts', { name: 'A2', type: 'api', method: 'GET', path: '/other' }))?.type).toBe('updated')
    expect(registry.set(stepIn('steps/c.step.ts', { name: 'A', type: 'api', method: 'GET', path: '/items' }))?.type).toBe('added')
    expect(registry.errors()).toEqual([])
    // A file updated in place keeps its own name and route without clashing with itself.
    expect(registry.set(stepIn('steps/c.step.ts', { name: 'A', type: 'api', method: 'GET', path: '/items' }))?.type).toBe('updated')
  })
})
