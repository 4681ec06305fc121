import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from './helpers/spawn-cli.ts'
import { fixture, startFixture, type TestApp } from './helpers/start-fixture.ts'

interface StepsBody {
  steps: { name: string }[]
  errors: { file: string; line?: number; message: string }[]
}

let app: TestApp | undefined
const saved = { python: process.env['MOTIA_PYTHON'], workers: process.env['MOTIA_PYTHON_WORKERS'] }
afterEach(async () => {
  await app?.close()
  app = undefined
  for (const [name, value] of [['MOTIA_PYTHON', saved.python], ['MOTIA_PYTHON_WORKERS', saved.workers]] as const) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

async function errorsByFile(started: TestApp): Promise<Record<string, { line?: number; message: string }>> {
  const { body } = await started.json<StepsBody>('/__motia/steps')
  return Object.fromEntries(body.errors.map(({ file, ...error }) => [file, error]))
}

describe('loading Python step files', () => {
  it('reports each broken Python file with file, line and fix while the other steps keep serving', async () => {
    app = await startFixture(fixture('python-broken'))
    expect((await app.json('/alive')).body).toEqual({ alive: true })
    expect((await app.json('/fine')).body).toEqual({ fine: true })

    const errors = await errorsByFile(app)
    expect(Object.keys(errors).sort()).toEqual([
      'steps/bad_config_step.py',
      'steps/bad_rate_limit_step.py',
      'steps/function_in_config_step.py',
      'steps/no_config_step.py',
      'steps/no_handler_step.py',
      'steps/raises_at_import_step.py',
      'steps/syntax_step.py',
    ])
    expect(errors['steps/syntax_step.py']).toEqual({
      line: 4,
      message: "Cannot load steps/syntax_step.py:4: SyntaxError: expected ':'. Fix the file; the other steps keep running.",
    })
    expect(errors['steps/raises_at_import_step.py']).toEqual({
      line: 3,
      message:
        "Cannot load steps/raises_at_import_step.py:3: KeyError: 'MOTIA_TEST_UNSET_DATABASE_URL'. Fix the file; the other steps keep running.",
    })
    expect(errors['steps/bad_config_step.py']).toEqual({
      line: 8,
      message: 'Invalid step config in steps/bad_config_step.py:8: config.infrastructure.queue.maxRetries maxRetries cannot be negative.',
    })
    expect(errors['steps/bad_rate_limit_step.py']).toEqual({
      line: 9,
      message:
        'Invalid step config in steps/bad_rate_limit_step.py:9: config.infrastructure.queue.rateLimit.key names "tenant", which is not a field of the step\'s input (fields: "tenantId"). Name an input field, or remove key to share one limit.',
    })
    expect(errors['steps/function_in_config_step.py']).toEqual({
      line: 10,
      message:
        'Invalid step config in steps/function_in_config_step.py:10: config.middleware.0 is a function, which a Python step config cannot hold: use JSON values, JSON Schema dicts or Pydantic models.',
    })
    expect(errors['steps/no_handler_step.py']?.message).toBe(
      'steps/no_handler_step.py (step "NoHandler") defines no handler function. Define `async def handler(...)` in the step file.',
    )
    expect(errors['steps/no_config_step.py']?.message).toBe(
      'steps/no_config_step.py defines no config. Define `config = {...}` and `async def handler(...)` in the step file.',
    )
  })

  it('makes a missing interpreter a load error of the Python steps only', async () => {
    process.env['MOTIA_PYTHON'] = '/nonexistent/python3'
    app = await startFixture(fixture('python-broken'))
    expect((await app.json('/alive')).body).toEqual({ alive: true })
    const { body } = await app.json<StepsBody>('/__motia/steps')
    expect(body.steps.map((step) => step.name)).toEqual(['Alive'])
    expect(body.errors).toHaveLength(8)
    expect(body.errors.find((error) => error.file === 'steps/fine_step.py')?.message).toBe(
      'Cannot load steps/fine_step.py: The Python interpreter "/nonexistent/python3" was not found. Install Python 3.9 or newer, or set MOTIA_PYTHON to the interpreter\'s path. The other steps keep running.',
    )
  })

  it('names a bad MOTIA_PYTHON_WORKERS in the load errors of the Python steps', async () => {
    process.env['MOTIA_PYTHON_WORKERS'] = 'two'
    app = await startFixture(fixture('python-broken'))
    const errors = await errorsByFile(app)
    expect(errors['steps/fine_step.py']?.message).toBe(
      'Cannot load steps/fine_step.py: MOTIA_PYTHON_WORKERS is "two". Set it to a whole number of 1 or more. The other steps keep running.',
    )
  })

  it('motia-like graph reads Python steps through a worker, keeps stdout clean and exits', async () => {
    const { code, stdout, stderr } = await runCli(['graph', '--format', 'json', '--dir', fixture('python-broken')], fixture('python-broken'))
    expect(code).toBe(0)
    const graph = JSON.parse(stdout) as { nodes: { name: string; file: string }[] }
    expect(graph.nodes.map((node) => [node.name, node.file])).toEqual([
      ['Alive', 'steps/alive.step.ts'],
      ['Fine', 'steps/fine_step.py'],
    ])
    expect(stderr).toContain("error: Cannot load steps/syntax_step.py:4: SyntaxError: expected ':'.")
  })
})
