import { describe, expect, it } from 'vitest'
import { runCli, spawnServer } from './helpers/spawn-cli.ts'
import { fixture } from './helpers/start-fixture.ts'

const dir = fixture('exit-at-import')
const env = { EXIT_FIXTURE_API_KEY: '' }

describe('a step module that calls process.exit() at import', () => {
  it('is that file\'s load error in start, while the other steps load and serve', async () => {
    const server = await spawnServer('start', dir, ['--memory'], env)
    try {
      const ping = await fetch(`${server.url}/ping`)
      expect(ping.status).toBe(200)
      expect(await ping.json()).toEqual({ pong: true })
      const steps = (await (await fetch(`${server.url}/__motia/steps`)).json()) as {
        steps: { name: string }[]
        errors: { file: string; message: string }[]
      }
      expect(steps.steps.map((step) => step.name)).toEqual(['Ping'])
      expect(steps.errors).toEqual([
        expect.objectContaining({ file: 'steps/needs-key.step.ts', message: expect.stringMatching(/^Cannot load steps\/needs-key\.step\.ts:4: it called process\.exit\(1\) while loading/) }),
      ])
    } finally {
      await server.stop()
    }
  })

  it('does not stop graph: the graph prints, the file is named on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['graph', '--format', 'json', '--dir', dir], dir)
    expect(code).toBe(0)
    expect(JSON.parse(stdout).nodes.map((node: { name: string }) => node.name)).toEqual(['Ping'])
    expect(stderr).toMatch(/error: Cannot load steps\/needs-key\.step\.ts:4: it called process\.exit\(1\)/)
  })
})
