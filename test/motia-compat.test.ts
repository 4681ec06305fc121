import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

let app: TestApp
beforeAll(async () => {
  app = await startFixture(fixture('motia-compat'))
})
afterAll(() => app.close())

describe('step files written for Motia', () => {
  it('load unchanged: CommonJS guide examples and a Motia 0.17 TypeScript step', async () => {
    const { body } = await app.json<{ steps: { name: string }[]; errors: unknown[] }>('/__motia/steps')
    expect(body.errors).toEqual([])
    expect(body.steps.map((step) => step.name)).toEqual(['Cleanup', 'OnProcessed', 'ProcessFile', 'Upload'])
  })

  it('run the guide flow: API, background job, follow-up step', async () => {
    const { status, body } = await app.json<{ fileId: string; status: string }>('/upload', {
      method: 'POST',
      body: JSON.stringify({ filename: 'report.pdf' }),
    })
    expect(status).toBe(202)
    expect(body.status).toBe('processing')
    await app.runtime.queue.drain()
    expect(await app.runtime.state.get('processed_files', body.fileId)).toEqual({ fileId: body.fileId, pages: 3 })
    expect(await app.runtime.state.get('done', body.fileId)).toMatchObject({ pages: 3 })
  })

  it('give a cron handler written as (input, ctx) its context', async () => {
    const triggered = await app.json('/__motia/cron/Cleanup/trigger', { method: 'POST' })
    expect(triggered.status).toBe(200)
    expect(await app.runtime.state.getGroup('processed_files')).toEqual([])
    expect(app.logs.some((entry) => entry.step === 'Cleanup' && /Cleanup completed: 1 items removed/.test(entry.msg))).toBe(true)
  })
})
