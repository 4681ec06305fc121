import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFixture, fixture } from './helpers/start-fixture.ts'
import { eventually, runCli, type ServerProcess, spawnServer } from './helpers/spawn-cli.ts'

const repoRoot = resolve(import.meta.dirname, '..')

describe('motia-like start on the demo project', () => {
  let server: ServerProcess
  beforeAll(async () => {
    server = await spawnServer('start', repoRoot, ['--memory'])
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })

  it('prints routes, subscriptions and cron in the banner', () => {
    expect(server.output()).toMatch(/POST\s+\/upload\s+UploadFile/)
    expect(server.output()).toMatch(/file\.uploaded\s+ProcessFile/)
    expect(server.output()).toMatch(/0 \* \* \* \*\s+CleanupJobs/)
  })

  it('accepts an upload with 202 and reports the job completed moments later', async () => {
    const upload = await fetch(`${server.url}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'a.pdf' }),
    })
    expect(upload.status).toBe(202)
    const { jobId } = (await upload.json()) as { jobId: string }
    const job = await eventually(async () => {
      const body = (await (await fetch(`${server.url}/jobs/${jobId}`)).json()) as { status: string; progress: number }
      return body.status === 'completed' ? body : undefined
    })
    expect(job.progress).toBe(100)
    expect((await fetch(`${server.url}/jobs/missing`)).status).toBe(404)
  })

  it('reads a JSON body sent in UTF-16, and refuses an unknown charset with 415', async () => {
    const body = Buffer.from(JSON.stringify({ filename: 'résumé.pdf' }), 'utf16le')
    const upload = await fetch(`${server.url}/upload`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-16le' }, body })
    expect(upload.status).toBe(202)
    const { jobId } = (await upload.json()) as { jobId: string }
    const job = (await (await fetch(`${server.url}/jobs/${jobId}`)).json()) as { filename?: string; data?: { filename?: string } }
    expect(JSON.stringify(job)).toContain('résumé.pdf')
    const unknown = await fetch(`${server.url}/upload`, { method: 'POST', headers: { 'content-type': 'application/json; charset=klingon' }, body: '{}' })
    expect(unknown.status).toBe(415)
  })

  it('emits and lists jobs through the CLI', async () => {
    const port = new URL(server.url).port
    const emitted = await runCli(['emit', '--topic', 'file.uploaded', '--data', '{"jobId":"none","filename":"x.exe","sizeBytes":1}', '--port', port], repoRoot)
    expect(emitted.code).toBe(0)
    expect(emitted.stdout).toMatch(/emitted "file.uploaded"/)
    const listed = await runCli(['jobs', 'list', '--step', 'ProcessFile', '--port', port], repoRoot)
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/ProcessFile/)
    const bad = await runCli(['emit', '--topic', 'file.uploaded', '--data', '{oops', '--port', port], repoRoot)
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(/--data is not valid JSON/)
  })
})

describe('motia-like graph', () => {
  it('prints the demo graph as mermaid', async () => {
    const { code, stdout } = await runCli(['graph', '--format', 'mermaid'], repoRoot)
    expect(code).toBe(0)
    expect(stdout).toMatch(/^flowchart LR/)
    expect(stdout).toMatch(/file\.uploaded/)
    expect(stdout).toMatch(/file\.processed/)
  })

  it('--check passes on the demo and exits 1 on an emitted topic nobody subscribes to', async () => {
    expect((await runCli(['graph', '--check', '--format', 'json'], repoRoot)).code).toBe(0)
    const { code, stderr } = await runCli(['graph', '--check', '--dir', fixture('unsubscribed')], repoRoot)
    expect(code).toBe(1)
    expect(stderr).toMatch(/"news\.published", which no step subscribes to/)
  })

  it('fails with one line on a bad flag value', async () => {
    const { code, stderr } = await runCli(['graph', '--format', 'png'], repoRoot)
    expect(code).toBe(1)
    expect(stderr.trim()).toBe('motia-like: Unknown format "png". Use json, mermaid or dot.')
  })
})

describe('state with the SQLite store', () => {
  it('survives a restart of the server', async () => {
    const project = copyFixture('runtime')
    try {
      const first = await spawnServer('start', project.dir)
      const order = await fetch(`${first.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ item: 'chair', quantity: 1 }),
      })
      expect(order.status).toBe(201)
      await eventually(async () => {
        const body = (await (await fetch(`${first.url}/__motia/state/orders`)).json()) as { items: unknown[] }
        return body.items.length > 0 ? body : undefined
      })
      expect(await first.stop()).toBe(0)

      const second = await spawnServer('start', project.dir)
      const { items } = (await (await fetch(`${second.url}/__motia/state/orders`)).json()) as { items: { key: string; value: { status: string } }[] }
      expect(items).toEqual([{ key: 'o-chair', value: expect.objectContaining({ status: 'shipped' }) }])
      await second.stop()
    } finally {
      project.remove()
    }
  })
})
