import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../src/queue/queue.ts'
import { runCli } from './helpers/spawn-cli.ts'
import { startFixture, type TestApp } from './helpers/start-fixture.ts'

const example = resolve(import.meta.dirname, '..', 'examples', 'ruby-reports')
const reportsDir = mkdtempSync(join(tmpdir(), 'motia-like-reports-'))
const saved = process.env['REPORTS_DIR']

let app: TestApp
beforeAll(async () => {
  // The Ruby workers start with the first Ruby step and inherit this.
  process.env['REPORTS_DIR'] = reportsDir
  app = await startFixture(example)
})
afterAll(async () => {
  await app.close()
  if (saved === undefined) delete process.env['REPORTS_DIR']
  else process.env['REPORTS_DIR'] = saved
  rmSync(reportsDir, { recursive: true, force: true })
})

const post = (path: string, body: unknown) => app.json<Record<string, unknown>>(path, { method: 'POST', body: JSON.stringify(body) })

describe('the Ruby reports example (the guide\'s generate_report.step.rb, with CSV)', () => {
  it('generates a CSV report in Ruby from state TypeScript wrote, serves it from Ruby and emails its URL', async () => {
    expect((await post('/users/u-1/metrics', { name: 'signups', value: 12 })).status).toBe(204)
    expect((await post('/users/u-1/metrics', { name: 'active users', value: 7.5 })).status).toBe(204)
    const requested = await post('/reports', { userId: 'u-1', email: 'ada@example.com' })
    expect(requested).toMatchObject({ status: 202, body: { status: 'queued' } })
    await app.runtime.queue.drain()

    const reportId = requested.body['reportId'] as string
    const url = `/reports/report_${reportId}.csv`
    expect(await app.runtime.state.get('reports', reportId)).toEqual({ reportId, status: 'ready', url })
    expect(await app.runtime.state.getGroup('outbox')).toEqual([
      { to: 'ada@example.com', subject: 'Your report is ready', attachmentUrl: url },
    ])
    const download = await app.fetch(url)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(await download.text()).toBe('metric,value\nactive users,7.5\nsignups,12\n')
    const { body } = await app.json<{ jobs: Job[] }>(`/__motia/jobs?traceId=${requested.headers.get('x-trace-id')}`)
    expect(body.jobs.map((job) => [job.step, job.status]).sort()).toEqual([
      ['GenerateReport', 'completed'],
      ['ReportReady', 'completed'],
      ['SendEmail', 'completed'],
    ])
    expect((await app.fetch('/reports/missing.csv')).status).toBe(404)
  })

  it('shows the Ruby steps with file, config and schemas to the Workbench', async () => {
    const { body } = await app.json<{ steps: { name: string; file: string; config: Record<string, unknown> }[] }>('/__motia/steps')
    expect(body.steps.find((step) => step.name === 'GenerateReport')).toMatchObject({
      file: 'steps/reports/generate_report.step.rb',
      config: {
        type: 'event',
        subscribes: ['report.requested'],
        emits: ['report.generated', 'email.send'],
        input: { type: 'object', required: ['reportId', 'userId', 'email'] },
      },
    })
  })

  it("types the Ruby step's emits in generate types and lists its API step in generate openapi", async () => {
    const out = mkdtempSync(join(tmpdir(), 'motia-like-reports-gen-'))
    try {
      const [types, openapi] = await Promise.all([
        runCli(['generate', 'types', '--dir', example, '--out', join(out, 'types.d.ts')], example),
        runCli(['generate', 'openapi', '--dir', example, '--out', '-'], example),
      ])
      expect(types.code, types.stderr).toBe(0)
      expect(readFileSync(join(out, 'types.d.ts'), 'utf8')).toContain(
        "'GenerateReport': EventHandler<{ reportId: string; userId: string; email: string }, " +
          "{ topic: 'report.generated'; data: { reportId: string; url: string } } | " +
          "{ topic: 'email.send'; data: { to: string; subject: string; attachmentUrl: string } }>",
      )
      expect(openapi.code, openapi.stderr).toBe(0)
      const spec = JSON.parse(openapi.stdout) as { paths: Record<string, Record<string, { operationId: string }>> }
      expect(spec.paths['/reports/{file}']?.['get']?.operationId).toBe('DownloadReport')
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
