import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FlowGraph } from '../../src/graph/flow-graph.ts'
import type { Job } from '../../src/queue/queue.ts'
import { eventually, type ServerProcess, spawnServer } from '../helpers/spawn-cli.ts'
import { copyDemo } from '../helpers/start-fixture.ts'
import { launchBrowser, screenshotDir } from './browser.ts'

let project: ReturnType<typeof copyDemo>
let server: ServerProcess
let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  project = copyDemo()
  ;[server, browser] = await Promise.all([spawnServer('dev', project.dir), launchBrowser()])
  page = await browser.context.newPage()
  page.setDefaultTimeout(15_000)
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(`${server.url}/__motia/workbench/`)
  await page.waitForSelector('#conn[data-state="live"]')
})
afterAll(async () => {
  await browser?.close()
  expect(await server?.stop()).toBe(0)
  project?.remove()
})

const api = async <T>(path: string, init?: RequestInit): Promise<T> => (await fetch(`${server.url}${path}`, init)).json() as Promise<T>
const upload = (filename: string) =>
  api<{ jobId: string }>('/upload', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filename }) })
const tab = (name: string) => page.click(`#tabs a[data-tab="${name}"]`)
const shot = (name: string) => page.screenshot({ path: join(screenshotDir, `${name}.png`) })
const file = (path: string) => join(project.dir, path)

describe('the Workbench in a browser, against motia-like dev', () => {
  it('draws every node and edge of GET /__motia/graph, and shows a node’s config, file and schemas on click', async () => {
    const graph = await api<FlowGraph>('/__motia/graph')
    await tab('flows')
    await page.locator('[data-node-id]').nth(graph.nodes.length - 1).waitFor()
    const nodes = await page.$$eval('[data-node-id]', (els) => els.map((el) => el.getAttribute('data-node-id')))
    const edges = await page.$$eval('[data-edge]', (els) => els.map((el) => el.getAttribute('data-edge')))
    expect(nodes.sort()).toEqual(graph.nodes.map((node) => node.id).sort())
    expect(edges.sort()).toEqual(graph.edges.map((edge) => `${edge.from}|${edge.to}|${edge.topic}`).sort())
    expect(await page.textContent('[data-node-id="UploadFile"]')).toContain('POST /upload')
    expect(await page.textContent('[data-node-id="CleanupJobs"]')).toContain('0 * * * *')
    expect(await page.textContent('[data-edge="UploadFile|ProcessFile|file.uploaded"]')).toContain('file.uploaded')

    await shot('graph')

    await page.click('[data-node-id="UploadFile"]')
    const text = await page.locator('[data-details="UploadFile"]').textContent()
    expect(text).toContain('steps/files/upload.step.ts')
    expect(text).toContain('Body schema')
    expect(text).toContain('"filename"')
    await shot('graph-details')

    await page.click('[data-node-id="ProcessFile"]')
    const details = page.locator('[data-details="ProcessFile"]')
    expect(await details.locator('[data-field="rate-limit"]').textContent()).toBe('10 per 1 s (jobs over it wait)')
    await details.locator('[data-action="pause"][data-paused="false"]').click()
    await details.locator('[data-action="pause"][data-paused="true"]').waitFor()
    expect(await api('/__motia/queues')).toEqual({ paused: ['ProcessFile'] })
    await details.locator('[data-action="pause"]').click()
    await details.locator('[data-action="pause"][data-paused="false"]').waitFor()
    expect(await api('/__motia/queues')).toEqual({ paused: [] })
  })

  it('sends a request from the endpoint tester, and its trace appears with every step it ran', async () => {
    await tab('endpoints')
    await page.click('[data-step="UploadFile"]')
    const editor = page.locator('textarea.body-editor')
    expect(JSON.parse(await editor.inputValue())).toHaveProperty('filename')
    await editor.fill(JSON.stringify({ filename: 'quarterly-report.pdf', sizeBytes: 48_000 }, null, 2))
    await page.click('[data-action="send"]')
    await page.waitForSelector('.response[data-status="202"]')
    const traceId = (await page.getAttribute('.trace-link', 'data-trace-id')) as string
    expect(traceId).toMatch(/^[0-9a-f-]{36}$/)

    await tab('traces')
    await page.click(`.trace-item[data-trace-id="${traceId}"]`)
    // All three runs finished: the request, the job it queued and the job that one queued.
    await page.locator(`.trace-detail[data-trace-id="${traceId}"][data-status="ok"] .tl-run-ok`).nth(2).waitFor()
    const steps = await page.$$eval('.trace-detail .tl-run .tl-step', (els) => els.map((el) => el.textContent))
    expect(steps).toEqual(['UploadFile', 'ProcessFile', 'CompleteJob'])
    const durations = await page.$$eval('.trace-detail .tl-run .tl-duration', (els) => els.map((el) => el.textContent))
    for (const duration of durations) expect(duration).toMatch(/^[\d.]+ (ms|s)$/)
    expect(await page.locator('.trace-detail [data-entry="emit"]').count()).toBe(2)
    expect(await page.locator('.trace-detail [data-entry="state"]').count()).toBeGreaterThan(0)
    expect(await page.locator('.trace-detail [data-entry="log"]').count()).toBeGreaterThan(0)
    await shot('trace')
  })

  it('retries a dead job from the Jobs view after the step is fixed, and the job completes', async () => {
    const { jobId: recordId } = await upload('installer.exe')
    await tab('jobs')
    await page.click('.stat-card[data-status="dead"]')
    const id = (await page.locator('.job-row[data-status="dead"]').first().getAttribute('data-job-id')) as string
    await page.click(`.job-row[data-job-id="${id}"]`)
    await page.waitForSelector(`.job-detail[data-job-id="${id}"] .attempt >> nth=2`)
    await shot('jobs')

    // The fix: accept executables. dev reloads the step; the replay runs the new code.
    const step = 'steps/files/process-file.step.ts'
    writeFileSync(file(step), readFileSync(file(step), 'utf8').replace("filename.endsWith('.exe')", "filename.endsWith('.never')"))
    await eventually(async () => (server.output().includes(`reloaded ${step}`) ? true : undefined), 10_000)
    await page.click(`.job-detail[data-job-id="${id}"] [data-action="retry"]`)
    await page.waitForSelector(`.job-detail[data-job-id="${id}"][data-status="completed"]`)
    expect((await api<Job>(`/__motia/jobs/${id}`)).status).toBe('completed')
    expect(await api<{ status: string }>(`/jobs/${recordId}`)).toMatchObject({ status: 'completed' })
    await shot('jobs-retried')
  })

  it('tails the log lines of one trace, and shows the state the steps wrote', async () => {
    const { jobId } = await upload('notes.txt')
    await page.goto(`${server.url}/__motia/workbench/#/traces`)
    const traceId = (await page.locator('.trace-item').first().getAttribute('data-trace-id')) as string
    await tab('logs')
    await page.fill('input[aria-label="trace id"]', traceId)
    await page.waitForSelector('.log-row:has-text("Job completed")')
    const steps = await page.$$eval('.log-row .log-step', (els) => els.map((el) => el.textContent))
    expect(steps.sort()).toEqual(['CompleteJob', 'ProcessFile', 'UploadFile'])
    await page.selectOption('select[aria-label="level"]', 'warn')
    await page.waitForSelector('.log-lines .empty')

    await tab('state')
    await page.click('[data-group="jobs"]')
    await page.click(`.entry[data-key="${jobId}"] summary`)
    expect(await page.locator(`.entry[data-key="${jobId}"] .json`).textContent()).toContain('"status": "completed"')
  })

  it('shows a step added, and a step file that fails to load, while the page is open, without reloading it', async () => {
    await tab('flows')
    await page.waitForSelector('[data-node-id="UploadFile"]')
    await page.evaluate(() => Object.assign(globalThis, { samePage: true }))
    writeFileSync(
      file('steps/files/notify.step.ts'),
      `export const config = { type: 'event', name: 'NotifyOwner', subscribes: ['file.processed'], emits: [], flows: ['file-processing'] }
export const handler = async () => {}
`,
    )
    await page.waitForSelector('[data-node-id="NotifyOwner"]')
    await page.waitForSelector('[data-edge="ProcessFile|NotifyOwner|file.processed"]')
    writeFileSync(file('steps/files/broken.step.ts'), "export const config = { type: 'event', name: 'Broken', subscribes: 'file.processed' }\n")
    expect(await page.locator('.callout.error:has-text("broken.step.ts")').textContent()).toContain('subscribes')
    expect(await page.evaluate(() => (globalThis as { samePage?: boolean }).samePage)).toBe(true)
    expect(pageErrors).toEqual([])
  })
})
