import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServerProcess, spawnServer } from '../helpers/spawn-cli.ts'
import { copyFixture } from '../helpers/start-fixture.ts'
import { launchBrowser, screenshotDir } from './browser.ts'

let project: ReturnType<typeof copyFixture>
let server: ServerProcess
let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page
let workload: NodeJS.Timeout | undefined
const pageErrors: string[] = []

/** Places an order every 100 ms while the test runs: a steady workload for the charts to show. */
function startWorkload(): void {
  let n = 0
  workload = setInterval(() => {
    n += 1
    const body = JSON.stringify({ id: `e2e-${n}`, slowMs: 5 + (n % 4) * 10, failShipping: n % 5 === 0 })
    fetch(`${server.url}/orders/e2e`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).catch(() => {})
  }, 100)
}

beforeAll(async () => {
  project = copyFixture('telemetry')
  ;[server, browser] = await Promise.all([spawnServer('dev', project.dir, ['--memory']), launchBrowser()])
  page = await browser.context.newPage()
  page.setDefaultTimeout(20_000)
  page.on('pageerror', (error) => pageErrors.push(error.message))
  startWorkload()
  await page.goto(`${server.url}/__motia/workbench/#/metrics`)
  await page.waitForSelector('#conn[data-state="live"]')
})
afterAll(async () => {
  clearInterval(workload)
  await browser?.close()
  await server?.stop()
  project?.remove()
})

const attemptsShown = async (): Promise<number> => Number(await page.getAttribute('#view[data-view="metrics"]', 'data-attempts'))
const throughputPixels = () => page.$eval('.chart[data-chart="throughput"] canvas', (canvas) => (canvas as unknown as { toDataURL(): string }).toDataURL())

describe('the Metrics view in a browser, during a workload', () => {
  it('draws throughput, duration and depth charts and updates them from the live stream', async () => {
    for (const chart of ['throughput', 'duration', 'depth']) await page.locator(`.chart[data-chart="${chart}"] canvas`).waitFor()
    // The first interval with attempts arrives over the live stream, without a reload.
    await expect.poll(attemptsShown, { timeout: 20_000 }).toBeGreaterThan(0)
    const firstAt = await page.getAttribute('#view', 'data-last-at')
    const before = { attempts: await attemptsShown(), pixels: await throughputPixels() }
    await expect.poll(() => page.getAttribute('#view', 'data-last-at'), { timeout: 20_000 }).not.toBe(firstAt)
    expect(await attemptsShown()).toBeGreaterThan(before.attempts)
    expect(await throughputPixels()).not.toBe(before.pixels)
    const slowest = await page.$$eval('.slowest tbody tr', (rows) => rows.map((row) => row.getAttribute('data-step')))
    expect(slowest.sort()).toEqual(['CheckOrder', 'ShipOrder'])
    expect(await page.textContent('.metrics .toolbar')).toMatch(/last hour, 5 s intervals/)
    await page.screenshot({ path: join(screenshotDir, 'metrics.png') })
  })

  it('shows one step when picked', async () => {
    const overall = await attemptsShown()
    await page.selectOption('.metrics select[aria-label="step"]', 'ShipOrder')
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash)).toBe('#/metrics?step=ShipOrder')
    await expect.poll(attemptsShown).toBeLessThan(overall)
    expect(await attemptsShown()).toBeGreaterThan(0)
  })

  it('gives each step of the Jobs view a sparkline of the last hour', async () => {
    await page.click('#tabs a[data-tab="jobs"]')
    for (const step of ['CheckOrder', 'ShipOrder']) await page.locator(`td[data-spark="${step}"] svg.sparkline polyline`).waitFor()
    expect(await page.getAttribute('td[data-spark="CheckOrder"] svg.sparkline', 'aria-label')).toMatch(/^\d+ attempts? in the last hour$/)
    await page.screenshot({ path: join(screenshotDir, 'jobs-sparklines.png') })
    expect(pageErrors).toEqual([])
  })
})
