import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { generateStep } from '../src/cli/commands/generate-step.ts'
import { createTester } from '../src/testing/create-tester.ts'
import { runCli } from './helpers/spawn-cli.ts'
import { copyFixture, fixture } from './helpers/start-fixture.ts'

// The committed files in test/fixtures/generated are what the generator writes; `tsc --noEmit` type-checks them.
const expected = (file: string) => readFileSync(join(fixture('generated'), 'steps', file), 'utf8')

let project: ReturnType<typeof copyFixture>
let cwd: string
beforeAll(() => {
  project = copyFixture('generated')
  rmSync(join(project.dir, 'steps'), { recursive: true })
  cwd = process.cwd()
  process.chdir(project.dir)
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterAll(() => {
  process.chdir(cwd)
  vi.restoreAllMocks()
  project.remove()
})

describe('motia-like generate step', () => {
  it('writes an event step from flags alone, without asking (the real CLI)', async () => {
    const { code, stdout, stderr } = await runCli(
      ['generate', 'step', '--type', 'event', '--name', 'SendEmail', '--subscribes', 'user.created', '--emits', 'email.sent'],
      project.dir,
    )
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toBe('wrote steps/send-email.step.ts\n')
    expect(readFileSync(join(project.dir, 'steps', 'send-email.step.ts'), 'utf8')).toBe(expected('send-email.step.ts'))
  })

  it('writes api and cron steps', async () => {
    await generateStep({ type: 'api', name: 'GetOrder', method: 'post', path: '/orders/:id', emits: 'order.read', flow: 'default' })
    await generateStep({ type: 'cron', name: 'Nightly', cron: '0 2 * * *', flow: 'default' })
    expect(readdirSync(join(project.dir, 'steps')).sort()).toEqual(['get-order.step.ts', 'nightly.step.ts', 'send-email.step.ts'])
    expect(readFileSync(join(project.dir, 'steps', 'get-order.step.ts'), 'utf8')).toBe(expected('get-order.step.ts'))
    expect(readFileSync(join(project.dir, 'steps', 'nightly.step.ts'), 'utf8')).toBe(expected('nightly.step.ts'))
  })

  it('writes files that load and run', async () => {
    const tester = await createTester({ dir: project.dir })
    try {
      expect(tester.runtime.registry.steps().map((step) => step.name).sort()).toEqual(['GetOrder', 'Nightly', 'SendEmail'])
      expect(await tester.request('POST', '/orders/7', {})).toMatchObject({ status: 200, body: { ok: true } })
      await tester.emit('user.created', { id: 'u1' })
      await tester.drain()
      expect(await tester.jobs({ step: 'SendEmail' })).toEqual([expect.objectContaining({ status: 'completed' })])
      await tester.runCron('Nightly')
      expect(tester.logs.map((entry) => entry.msg)).toContain('Nightly ran')
    } finally {
      await tester.close()
    }
  })

  it('refuses to overwrite a file or to reuse a route, and names what is missing or wrong', async () => {
    const before = expected('send-email.step.ts')
    await expect(generateStep({ type: 'event', name: 'SendEmail', subscribes: 'x' })).rejects.toThrow(
      'steps/send-email.step.ts already exists. Choose another --name, or delete the file first.',
    )
    expect(readFileSync(join(project.dir, 'steps', 'send-email.step.ts'), 'utf8')).toBe(before)
    await expect(generateStep({ type: 'cron', name: 'send_email', cron: '* * * * *' })).rejects.toThrow('already exists')
    await expect(generateStep({ type: 'api', name: 'OrderAgain', method: 'POST', path: '/orders/:id' })).rejects.toThrow(
      'POST /orders/:id is already served by steps/get-order.step.ts. Choose another --path or --method.',
    )
    await expect(generateStep({ type: 'event', name: 'NoTopics' })).rejects.toThrow(
      'Missing --subscribes. Pass it, for example --subscribes user.created.',
    )
    await expect(generateStep({ type: 'queue', name: 'X' })).rejects.toThrow('Unknown --type "queue". Use api, event or cron.')
    await expect(generateStep({ type: 'cron', name: 'Bad', cron: 'every day' })).rejects.toThrow(/^Invalid --cron: is not a valid cron expression/)
    await expect(generateStep({ type: 'api', name: 'NoSlash', path: 'orders' })).rejects.toThrow(/^Invalid --path: path must start with "\/"/)
  })
})
