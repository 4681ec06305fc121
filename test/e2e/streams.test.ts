import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServerProcess, spawnServer } from '../helpers/spawn-cli.ts'
import { copyTemplate } from '../helpers/start-fixture.ts'
import { launchBrowser, screenshotDir } from './browser.ts'

let project: ReturnType<typeof copyTemplate>
let server: ServerProcess
let browser: Awaited<ReturnType<typeof launchBrowser>>
const pageErrors: string[] = []

beforeAll(async () => {
  project = copyTemplate('realtime-todo')
  ;[server, browser] = await Promise.all([spawnServer('dev', project.dir), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  expect(await server?.stop()).toBe(0)
  project?.remove()
})

async function open(path: string): Promise<Page> {
  const page = await browser.context.newPage()
  page.setDefaultTimeout(15_000)
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(`${server.url}${path}`)
  return page
}

const titles = (page: Page) => page.$$eval('#tasks li span', (els) => els.map((el) => el.textContent))

describe('the realtime-todo template in Chromium', () => {
  it('shows a task added in one window in another at once, and its toggle, its removal and the activity event', async () => {
    const [first, second] = [await open('/?board=home'), await open('/?board=home')]
    await Promise.all([first, second].map((page) => page.waitForSelector('#status[data-state="live"]')))

    await first.fill('#title', 'Water the plants')
    await first.press('#title', 'Enter')
    await second.waitForSelector('#tasks li:has-text("Water the plants")')
    await second.waitForSelector('#activity:has-text("Added \\"Water the plants\\"")')
    expect(await titles(first)).toEqual(['Water the plants'])

    await second.check('#tasks li input[type=checkbox]')
    await first.waitForSelector('#tasks li.done:has-text("Water the plants")')
    await first.screenshot({ path: join(screenshotDir, 'realtime-todo.png') })

    await first.click('#tasks li button')
    await second.waitForSelector('#tasks li', { state: 'detached' })
    // Another board does not see this one's tasks.
    const other = await open('/?board=work')
    await other.waitForSelector('#status[data-state="live"]')
    expect(await titles(other)).toEqual([])
    expect(pageErrors).toEqual([])
  })

  it("shows a late page the board's tasks at once, in the order they were added", async () => {
    const post = (title: string) =>
      fetch(`${server.url}/boards/late/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) })
    for (const title of ['first', 'second', 'third']) expect((await post(title)).status).toBe(201)
    const page = await open('/?board=late')
    await page.waitForSelector('#tasks li >> nth=2')
    expect(await titles(page)).toEqual(['first', 'second', 'third'])
  })
})

describe('the Workbench Streams view in Chromium', () => {
  it('lists the streams and their groups, and shows a group’s items and custom events live', async () => {
    const page = await open('/__motia/workbench/#/streams/tasks?group=live')
    await page.waitForSelector('[data-stream="tasks"]')
    await page.waitForSelector('[data-socket="live"]')
    const post = await fetch(`${server.url}/boards/live/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Seen live' }) })
    const { id } = (await post.json()) as { id: string }
    await page.waitForSelector(`[data-item="${id}"]:has-text("Seen live")`)
    await page.waitForSelector('[data-event="activity"]:has-text("Added")')
    await page.waitForSelector('[data-group="live"]')
    await fetch(`${server.url}/boards/live/tasks/${id}`, { method: 'DELETE' })
    await page.waitForSelector(`[data-item="${id}"]`, { state: 'detached' })
    await page.screenshot({ path: join(screenshotDir, 'workbench-streams.png') })
    expect(pageErrors).toEqual([])
  })
})
