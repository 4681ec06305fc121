import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from './helpers/spawn-cli.ts'
import { copyFixture, fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

interface StepsBody {
  steps: { name: string }[]
  errors: { file: string; line?: number; message: string }[]
}

let app: TestApp | undefined
let project: ReturnType<typeof copyFixture> | undefined
const saved = process.env['MOTIA_RUBY']
afterEach(async () => {
  await app?.close()
  app = undefined
  project?.remove()
  project = undefined
  if (saved === undefined) delete process.env['MOTIA_RUBY']
  else process.env['MOTIA_RUBY'] = saved
})

async function errorsByFile(started: TestApp): Promise<Record<string, { line?: number; message: string }>> {
  const { body } = await started.json<StepsBody>('/__motia/steps')
  return Object.fromEntries(body.errors.map(({ file, ...error }) => [file, error]))
}

describe('loading Ruby step files', () => {
  it('reports each broken Ruby file with file, line and fix while the other steps keep serving', async () => {
    app = await startFixture(fixture('ruby-broken'))
    expect((await app.json('/alive')).body).toEqual({ alive: true })
    expect((await app.json('/fine')).body).toEqual({ fine: true })

    const errors = await errorsByFile(app)
    expect(Object.keys(errors).sort()).toEqual([
      'steps/bad_config.step.rb',
      'steps/needs_gem.step.rb',
      'steps/no_config_step.rb',
      'steps/no_handler.step.rb',
      'steps/proc_in_config.step.rb',
      'steps/raises_at_import.step.rb',
      'steps/syntax_step.rb',
    ])
    expect(errors['steps/syntax_step.rb']).toMatchObject({
      line: 6,
      message: expect.stringMatching(/^Cannot load steps\/syntax_step\.rb:6: SyntaxError: syntax error, unexpected .+\. Fix the file; the other steps keep running\.$/),
    })
    expect(errors['steps/raises_at_import.step.rb']).toEqual({
      line: 1,
      message:
        'Cannot load steps/raises_at_import.step.rb:1: KeyError: key not found: "MOTIA_TEST_UNSET_DATABASE_URL". Fix the file; the other steps keep running.',
    })
    expect(errors['steps/needs_gem.step.rb']).toEqual({
      line: 2,
      message:
        'Cannot load steps/needs_gem.step.rb:2: LoadError: cannot load such file -- prawn (add gem "prawn" to the project\'s Gemfile and run bundle install, or install the gem). Fix the file; the other steps keep running.',
    })
    expect(errors['steps/bad_config.step.rb']).toEqual({
      line: 8,
      message: 'Invalid step config in steps/bad_config.step.rb:8: config.infrastructure.queue.maxRetries maxRetries cannot be negative.',
    })
    expect(errors['steps/proc_in_config.step.rb']).toEqual({
      line: 8,
      message:
        'Invalid step config in steps/proc_in_config.step.rb:8: config.middleware.0 is a Proc, which a Ruby step config cannot hold: use Hashes, Arrays, strings, symbols, numbers, true, false and nil.',
    })
    expect(errors['steps/no_handler.step.rb']?.message).toBe(
      'steps/no_handler.step.rb (step "NoHandler") defines no handler function. Define `def handler(input, context)` in the step file.',
    )
    expect(errors['steps/no_config_step.rb']?.message).toBe(
      'steps/no_config_step.rb defines no config. Define `def config` (returning a Hash) and `def handler(input, context)` in the step file.',
    )
  })

  it('makes a missing interpreter a load error of the Ruby steps only', async () => {
    process.env['MOTIA_RUBY'] = '/nonexistent/ruby'
    app = await startFixture(fixture('ruby-broken'))
    expect((await app.json('/alive')).body).toEqual({ alive: true })
    const { body } = await app.json<StepsBody>('/__motia/steps')
    expect(body.steps.map((step) => step.name)).toEqual(['Alive'])
    expect(body.errors).toHaveLength(8)
    expect(body.errors.find((error) => error.file === 'steps/fine.step.rb')?.message).toBe(
      'Cannot load steps/fine.step.rb: The Ruby interpreter "/nonexistent/ruby" was not found. Install Ruby 3.0 or newer, or set MOTIA_RUBY to the interpreter\'s path. The other steps keep running.',
    )
  })

  it("sets up the project's Gemfile with Bundler before any step loads", async () => {
    project = copyFixture('ruby-broken')
    writeFileSync(join(project.dir, 'Gemfile'), "source 'https://rubygems.org'\n\ngem 'csv'\n")
    writeFileSync(
      join(project.dir, 'steps', 'bundled.step.rb'),
      "def config = { type: 'api', name: 'Bundled', method: 'GET', path: '/bundled', emits: [] }\n\n" +
        "def handler(_req, _context) = { status: 200, body: { gemfile: ENV['BUNDLE_GEMFILE'], gems: Bundler.load.specs.map(&:name).sort } }\n",
    )
    app = await startFixture(project.dir)
    const { body } = await app.json<{ gemfile: string; gems: string[] }>('/bundled')
    expect(body.gemfile).toBe(join(project.dir, 'Gemfile'))
    expect(body.gems).toContain('csv')
  })

  it('names a gem the Gemfile needs and Bundler cannot find in the load errors of every Ruby step', async () => {
    project = copyFixture('ruby-broken')
    writeFileSync(join(project.dir, 'Gemfile'), "source 'https://rubygems.org'\n\ngem 'motia-like-no-such-gem'\n")
    app = await startFixture(project.dir)
    const errors = await errorsByFile(app)
    expect(Object.keys(errors).filter((file) => file.endsWith('.rb'))).toHaveLength(8)
    expect(errors['steps/fine.step.rb']?.message).toBe(
      "Cannot load steps/fine.step.rb: the project's Gemfile cannot be set up (Could not find gem 'motia-like-no-such-gem' in locally installed gems.). Run bundle install in the project. The other steps keep running.",
    )
  })

  it('motia-like graph reads Ruby steps through a worker, keeps stdout clean and exits', async () => {
    const { code, stdout, stderr } = await runCli(['graph', '--format', 'json', '--dir', fixture('ruby-broken')], fixture('ruby-broken'))
    expect(code).toBe(0)
    const graph = JSON.parse(stdout) as { nodes: { name: string; file: string }[] }
    expect(graph.nodes.map((node) => [node.name, node.file])).toEqual([
      ['Alive', 'steps/alive.step.ts'],
      ['Fine', 'steps/fine.step.rb'],
    ])
    expect(stderr).toContain('error: Cannot load steps/syntax_step.rb:6: SyntaxError:')
  })
})
