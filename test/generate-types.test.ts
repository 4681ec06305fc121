import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readSteps } from '../src/codegen/read-steps.ts'
import { toTypesFile } from '../src/codegen/generate-types.ts'
import { writeTypesFile } from '../src/codegen/write-types-file.ts'
import { startDev } from '../src/dev/start-dev.ts'
import { createLogger } from '../src/logger/create-logger.ts'
import { createTester } from '../src/testing/create-tester.ts'
import { eventually, runCli } from './helpers/spawn-cli.ts'
import { copyFixture, fixture } from './helpers/start-fixture.ts'

const typed = fixture('typed')

describe('motia-like generate types', () => {
  it('writes the types.d.ts that the type tests check (the committed file is the generator output)', async () => {
    const project = copyFixture('typed')
    try {
      writeFileSync(join(project.dir, 'types.d.ts'), '')
      const { code, stdout } = await runCli(['generate', 'types'], project.dir)
      expect(code).toBe(0)
      expect(stdout).toBe('wrote types.d.ts (6 handlers)\n')
      expect(readFileSync(join(project.dir, 'types.d.ts'), 'utf8')).toBe(readFileSync(join(typed, 'types.d.ts'), 'utf8'))
      const again = await runCli(['generate', 'types'], project.dir)
      expect(again.stdout).toBe('unchanged: types.d.ts (6 handlers)\n')
    } finally {
      project.remove()
    }
  })

  it("augments 'motia' for Motia projects: on request, and kept when regenerating a Motia file", async () => {
    const { steps } = await readSteps(typed)
    const motia = toTypesFile(steps, { module: 'motia' })
    expect(motia).toContain("declare module 'motia' {")
    expect(motia).toContain("from 'motia'")
    const dir = mkdtempSync(join(tmpdir(), 'motia-like-types-'))
    try {
      const file = join(dir, 'types.d.ts')
      writeFileSync(file, "import 'motia'\ndeclare module 'motia' {}\n")
      expect(await writeTypesFile(file, steps)).toEqual({ changed: true })
      expect(readFileSync(file, 'utf8')).toBe(motia)
      expect(await writeTypesFile(file, steps)).toEqual({ changed: false })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('runs the typed fixture: the step files behind the types work', async () => {
    const tester = await createTester({ dir: typed })
    try {
      const created = await tester.request('POST', '/typed/users/blue', { email: 'ada@example.test' })
      expect(created).toMatchObject({ status: 201, body: { id: 'u-ada@example.test', team: 'blue' } })
      expect((await tester.request('POST', '/typed/users/blue', { email: 'bob@taken.test' })).status).toBe(409)
      await tester.drain()
      expect(await tester.state.get('welcomed', 'ada@example.test')).toEqual({ plan: 'free' })
      expect(await tester.state.get('audit', 'u-ada@example.test')).toEqual({ tags: [] })
      await tester.runCron('TypedDigest')
      await tester.drain()
      expect(await tester.state.get('digests', 'week')).toEqual({ count: 1 })
    } finally {
      await tester.close()
    }
  })
})

describe('motia-like dev keeps types.d.ts current', () => {
  it('rewrites it when a step schema changes', async () => {
    const project = copyFixture('typed')
    const logger = createLogger({ level: 'silent', pretty: false, destination: new Writable({ write: (_c, _e, done) => done() }) })
    const dev = await startDev({ projectDir: project.dir, port: 0, host: '127.0.0.1', memory: true, logger })
    try {
      const typesFile = join(project.dir, 'types.d.ts')
      const stepFile = join(project.dir, 'steps', 'digest-send.step.ts')
      writeFileSync(stepFile, readFileSync(stepFile, 'utf8').replace('count: z.number(),', 'count: z.number(), subject: z.string(),'))
      const updated = await eventually(async () => {
        const text = readFileSync(typesFile, 'utf8')
        return text.includes('subject: string') ? text : undefined
      })
      expect(updated).toContain("'TypedDigestSend': EventHandler<{ count: number; subject: string; period: \"day\" | \"week\" }, never>")
      // The cron step that emits the topic gets the new data type too.
      expect(updated).toContain("'TypedDigest': CronHandler<{ topic: 'typed.digest.ready'; data: { count: number; subject: string;")
    } finally {
      await dev.close()
      project.remove()
    }
  })
})
