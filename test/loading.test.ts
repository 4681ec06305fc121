import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('broken'))
})
afterAll(() => app.close())

interface StepsBody {
  steps: { name: string }[]
  errors: { file: string; line?: number; message: string }[]
}

describe('a project with broken step files', () => {
  it('keeps serving the steps that loaded', async () => {
    const { status, body } = await app.json('/alive')
    expect(status).toBe(200)
    expect(body).toEqual({ alive: true })
  })

  it('lists one load error per broken file, naming file, line, field and fix', async () => {
    const { body } = await app.json<StepsBody>('/__motia/steps')
    expect(body.steps.map((step) => step.name)).toEqual(['StillServing'])
    const byFile = Object.fromEntries(body.errors.map((error) => [error.file, error]))
    expect(Object.keys(byFile).sort()).toEqual([
      'steps/bad-config.step.ts',
      'steps/same-name.step.ts',
      'steps/syntax.step.ts',
      'steps/typo.step.ts',
    ])
    expect(byFile['steps/bad-config.step.ts']).toMatchObject({ line: 7 })
    expect(byFile['steps/bad-config.step.ts']?.message).toBe(
      'Invalid step config in steps/bad-config.step.ts:7: config.infrastructure.queue.maxRetries maxRetries cannot be negative.',
    )
    expect(byFile['steps/typo.step.ts']?.message).toBe(
      'Invalid step config in steps/typo.step.ts:6: config has unknown field "emitz": remove it or check its spelling.',
    )
    expect(byFile['steps/syntax.step.ts']?.message).toMatch(/^Cannot load steps\/syntax\.step\.ts:6: Unexpected end of file\. Fix the file/)
    expect(byFile['steps/same-name.step.ts']?.message).toBe(
      'Step name "StillServing" in steps/same-name.step.ts is already used by steps/good.step.ts. Step names must be unique: rename one of them.',
    )
  })
})
