import { resolve } from 'node:path'
import { NonRetriableError } from 'motia-like'
import { createMockContext, createTester, type Tester } from 'motia-like/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handler as processFile } from '../steps/process-file.step.ts'

describe('uploads, run in-process', () => {
  let tester: Tester
  beforeAll(async () => {
    // Retries run at once in a tester; pass realBackoff: true to wait as configured.
    tester = await createTester({ dir: resolve(import.meta.dirname, '..') })
  })
  afterAll(() => tester.close())

  it('accepts an upload at once and processes it in the background', async () => {
    const res = await tester.request('POST', '/uploads', { filename: 'report.pdf', sizeBytes: 10_000 })
    expect(res).toMatchObject({ status: 202, body: { status: 'queued' } })
    await tester.drain()
    const status = await tester.request('GET', `/uploads/${res.body.id}`)
    expect(status.body).toMatchObject({ status: 'completed', pages: 3, attempts: 1 })
  })

  it('retries a failed attempt, then completes', async () => {
    const res = await tester.request('POST', '/uploads', { filename: 'flaky-scan.png', sizeBytes: 100 })
    await tester.drain()
    expect((await tester.request('GET', `/uploads/${res.body.id}`)).body).toMatchObject({ status: 'completed', attempts: 2 })
    const [job] = await tester.jobs({ traceId: res.traceId, step: 'ProcessFile' })
    expect(job).toMatchObject({ step: 'ProcessFile', status: 'completed', attempts: 2 })
  })

  it('sends a file no retry can fix straight to the dead-letter queue', async () => {
    const res = await tester.request('POST', '/uploads', { filename: 'setup.exe', sizeBytes: 100 })
    await tester.drain()
    const [job] = await tester.jobs({ traceId: res.traceId, step: 'ProcessFile' })
    expect(job).toMatchObject({ status: 'dead', attempts: 1 })
    expect((await tester.request('GET', `/uploads/${res.body.id}`)).body).toMatchObject({ status: 'failed' })
  })

  it('answers 400 for a bad upload and 404 for an unknown id', async () => {
    expect((await tester.request('POST', '/uploads', { filename: '' })).status).toBe(400)
    expect((await tester.request('GET', '/uploads/nope')).status).toBe(404)
  })

  it('cleans up finished uploads older than a day', async () => {
    const dayAgo = Date.now() - 25 * 60 * 60 * 1000
    await tester.state.set('uploads', 'old', { id: 'old', filename: 'a', sizeBytes: 1, status: 'completed', attempts: 1, createdAt: dayAgo, finishedAt: dayAgo })
    await tester.runCron('CleanupUploads')
    expect(await tester.state.get('uploads', 'old')).toBeNull()
    expect((await tester.state.getGroup('uploads')).length).toBeGreaterThan(0)
  })
})

describe('ProcessFile, called directly', () => {
  it('refuses executables without a retry', async () => {
    const ctx = createMockContext()
    await ctx.state.set('uploads', 'u1', { id: 'u1', filename: 'x.exe', sizeBytes: 1, status: 'queued', attempts: 0, createdAt: 0 })
    await expect(processFile({ id: 'u1', filename: 'x.exe', sizeBytes: 1 }, ctx)).rejects.toBeInstanceOf(NonRetriableError)
    expect(await ctx.state.get('uploads', 'u1')).toMatchObject({ status: 'failed', attempts: 1 })
  })
})

describe('NotifyPartner, limited to 100 calls a minute', () => {
  let tester: Tester
  beforeAll(async () => {
    tester = await createTester({ dir: resolve(import.meta.dirname, '..') })
  })
  afterAll(() => tester.close())

  /** Resolves once `count` jobs of the step completed; fails after a few seconds. */
  async function completed(count: number): Promise<void> {
    const deadline = Date.now() + 5_000
    while ((await tester.jobs({ step: 'NotifyPartner', status: 'completed', limit: 1000 })).length < count) {
      if (Date.now() > deadline) throw new Error(`Fewer than ${count} partner calls completed.`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  it('runs the first 100 calls and holds the 101st until the minute allows it', async () => {
    const started = Date.now()
    for (let index = 0; index < 101; index += 1) {
      await tester.emit('file.processed', { id: `f${index}`, filename: `f${index}.pdf`, pages: 1 })
    }
    await completed(100)
    const [waiting, ...others] = await tester.jobs({ step: 'NotifyPartner', status: 'pending' })
    expect(others).toEqual([])
    expect(waiting).toMatchObject({ attempts: 0, wait: { reason: 'rate-limited' } })
    expect(waiting?.wait?.until).toBeGreaterThanOrEqual(started + 60_000)
    expect(waiting?.wait?.until).toBeLessThanOrEqual(Date.now() + 60_000)
  })
})
