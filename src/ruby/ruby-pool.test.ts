import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { NonRetriableError, RubyHandlerError, RubyWorkerError } from '../errors.ts'
import { createLogger, type LogEntry } from '../logger/create-logger.ts'
import type { FlowContext, Logger } from '../types.ts'
import { WorkerLoadFailure } from '../workers/protocol.ts'
import { createWorkerPool, type WorkerCall, type WorkerPool } from '../workers/worker-pool.ts'
import { rubyLanguage } from './ruby-language.ts'

const dir = mkdtempSync(join(tmpdir(), 'ruby-pool-'))
mkdirSync(join(dir, 'steps'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const logs: LogEntry[] = []
const logger = createLogger({ level: 'debug', pretty: false, destination: new Writable({ write: (_c, _e, done) => done() }) })
logger.onLog((entry) => logs.push(entry))

let pool: WorkerPool
afterEach(() => pool.close())

function step(name: string, body: string): { file: string; source: string } {
  const file = join(dir, 'steps', `${name}.step.rb`)
  const source = `def config\n  { type: 'event', name: '${name}', subscribes: ['t'], emits: [] }\nend\n\n${body}\n`
  writeFileSync(file, source)
  return { file, source }
}

/** A context whose calls land in a map and a list: enough for what these handlers do. */
function context(lines: string[] = []): FlowContext {
  const log = (msg: string) => void lines.push(msg)
  const store = new Map<string, unknown>()
  return {
    traceId: 'trace-1',
    streams: {} as FlowContext['streams'],
    emit: async () => {},
    logger: { info: log, warn: log, error: log, debug: log } satisfies Logger,
    state: {
      get: async (group, key) => (store.get(`${group}/${key}`) ?? null) as never,
      set: async (group, key, value) => (store.set(`${group}/${key}`, value), value),
      delete: async () => null,
      getGroup: async () => [],
      clear: async () => {},
    },
  }
}

const event = (input: unknown = {}, timeoutMs?: number): WorkerCall => ({
  kind: 'event',
  args: [input],
  traceId: 't',
  ...(timeoutMs ? { timeoutMs } : {}),
})

async function loaded(name: string, body: string) {
  const { file, source } = step(name, body)
  return (await pool.load(file, source)).step
}

describe('the Ruby worker pool', () => {
  it('loads each step file in its own namespace: two files defining handler, helpers and constants keep their own', async () => {
    pool = createWorkerPool(rubyLanguage, { projectDir: dir, logger, size: 1 })
    const one = await loaded('one', "NAME = 'one'\ndef shout(text) = text.upcase\ndef handler(input, context) = shout(NAME)")
    const two = await loaded('two', "NAME = 'two'\ndef shout(text) = \"#{text}!\"\ndef handler(input, context) = shout(NAME)")
    expect(await pool.invoke(one, event(), context())).toBe('ONE')
    expect(await pool.invoke(two, event(), context())).toBe('two!')
  })

  it('normalises a config with symbol keys and symbol values to the JSON a TypeScript config has', async () => {
    pool = createWorkerPool(rubyLanguage, { projectDir: dir, logger, size: 1 })
    const file = join(dir, 'steps', 'configured.step.rb')
    const source = `def config
  { type: :api, name: 'Configured', path: '/c', method: 'POST', emits: [{ topic: 'a', label: 'A' }],
    'bodySchema' => { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } }
end

def handler(req, context) = { status: 200, body: req.body }`
    const { module } = await pool.load(file, source)
    expect(module).toEqual({
      hasHandler: true,
      config: {
        type: 'api',
        name: 'Configured',
        path: '/c',
        method: 'POST',
        emits: [{ topic: 'a', label: 'A' }],
        bodySchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
      },
    })
  })

  it('interleaves concurrent invocations inside one worker, each waiting on its own context calls', async () => {
    pool = createWorkerPool(rubyLanguage, { projectDir: dir, logger, size: 1 })
    const barrier = await loaded(
      'barrier',
      `RUNNING = Queue.new

def handler(input, context)
  RUNNING << 1
  # Returns only once every invocation is running at the same time in this one process.
  sleep 0.005 while RUNNING.size < input['n']
  context.state.set('pids', context.trace_id, Process.pid)
  Process.pid
end`,
    )
    const n = 25
    const pids = await Promise.all(Array.from({ length: n }, () => pool.invoke(barrier, event({ n }), context())))
    expect(new Set(pids).size).toBe(1)
    expect(pool.pids()).toEqual([pids[0]])
  })

  it('turns puts, print, p and $stdout writes into log lines, and keeps the protocol intact whatever a handler writes', async () => {
    pool = createWorkerPool(rubyLanguage, { projectDir: dir, logger, size: 1 })
    const noisy = await loaded(
      'noisy',
      `def handler(input, context)
  puts '{"t":"done","id":1,"ok":true,"value":"forged"}'
  print 'no newline yet'
  $stdout.write(" ... now\\n")
  p([1, 'a'])
  STDOUT.write("raw bytes on fd 1\\n")
  STDOUT.flush
  system('echo from a child process')
  'real'
end`,
    )
    const lines: string[] = []
    expect(await pool.invoke(noisy, event(), context(lines))).toBe('real')
    expect(lines).toEqual(['{"t":"done","id":1,"ok":true,"value":"forged"}', 'no newline yet ... now', '[1, "a"]'])
    await expect.poll(() => logs.some((entry) => entry.level === 'warn' && entry.msg.endsWith(': raw bytes on fd 1'))).toBe(true)
    await expect.poll(() => logs.some((entry) => entry.msg.endsWith(': from a child process'))).toBe(true)
  })

  it('fails on a result JSON cannot hold, and gives a handler reading stdin nothing', async () => {
    pool = createWorkerPool(rubyLanguage, { projectDir: dir, logger, size: 1 })
    const odd = await loaded('odd', "def handler(input, context)\n  input['read'] ? $stdin.read : Float::NAN\nend")
    await expect(pool.invoke(odd, event(), context())).rejects.toThrow(/^JSON::GeneratorError: .*NaN/)
    expect(await pool.invoke(odd, event({ read: true }), context())).toBe('')
  })

  it('fails an attempt with the Ruby class, message and backtrace, and maps NonRetriableError', async () => {
    pool = createWorkerPool(rubyLanguage, { projectDir: dir, logger, size: 1 })
    const failing = await loaded(
      'failing',
      `class ReportError < StandardError; end

def handler(input, context)
  raise MotiaLike::NonRetriableError, 'never' if input['never']
  build(input)
end

def build(input)
  raise ReportError, "no data for #{input['id']}"
end`,
    )
    const error = await pool.invoke(failing, event({ id: 7 }), context()).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RubyHandlerError)
    expect((error as Error).message).toBe('ReportError: no data for 7')
    expect((error as Error).stack).toMatch(/failing\.step\.rb:13:in `build'\n\tfrom .*failing\.step\.rb:9:in `handler'$/)
    expect((error as Error).stack).not.toContain('runner.rb')
    const never = await pool.invoke(failing, event({ never: true }), context()).catch((caught: unknown) => caught)
    expect(never).toBeInstanceOf(NonRetriableError)
    expect((never as Error).message).toBe('never')
  })

  it('interrupts a handler past its timeout; its ensure runs and the worker keeps serving', async () => {
    pool = createWorkerPool(rubyLanguage, { projectDir: dir, logger, size: 1 })
    const slow = await loaded(
      'slow',
      `def handler(input, context)
  sleep 30
rescue StandardError
  'a bare rescue does not swallow the interrupt'
ensure
  context.logger.info('cleaned up')
end`,
    )
    const lines: string[] = []
    const started = performance.now()
    await expect(pool.invoke(slow, event({}, 200), context(lines))).rejects.toThrow(
      'MotiaLike::HandlerTimeout: The handler did not finish within 0.2 s and was interrupted.',
    )
    expect(performance.now() - started).toBeLessThan(5000)
    expect(lines).toEqual(['cleaned up'])
    const quick = await loaded('quick', "def handler(input, context) = 'still here'")
    expect(await pool.invoke(quick, event(), context())).toBe('still here')
  })

  it('reports a syntax error with its line, and an exception while loading with the line that raised', async () => {
    pool = createWorkerPool(rubyLanguage, { projectDir: dir, logger, size: 1 })
    const broken = step('broken', 'def handler(input, context)\n  [1, 2\nend')
    const failure = await pool.load(broken.file, broken.source).catch((caught: unknown) => caught)
    expect(failure).toBeInstanceOf(WorkerLoadFailure)
    expect(failure).toMatchObject({ kind: 'syntax', line: 7, message: expect.stringMatching(/^SyntaxError: .*unexpected/) })
    const raising = step('raising', "ENV.fetch('MOTIA_TEST_UNSET_URL')\n\ndef handler(input, context) = nil")
    const raised = await pool.load(raising.file, raising.source).catch((caught: unknown) => caught)
    expect(raised).toMatchObject({ kind: 'import', line: 5, message: 'KeyError: key not found: "MOTIA_TEST_UNSET_URL"' })
  })

  it('fails the in-flight calls of a worker that dies, and starts a new one for the next call', async () => {
    pool = createWorkerPool(rubyLanguage, { projectDir: dir, logger, size: 1 })
    const slow = await loaded('slow-forever', 'def handler(input, context) = sleep(30)')
    const crash = await loaded('crash', 'def handler(input, context) = exit!(5)')
    const pid = await pool.invoke(await loaded('pid', 'def handler(input, context) = Process.pid'), event(), context())
    const results = await Promise.allSettled([pool.invoke(slow, event(), context()), pool.invoke(crash, event(), context())])
    for (const result of results) {
      const reason = (result as PromiseRejectedResult).reason as RubyWorkerError
      expect(reason).toBeInstanceOf(RubyWorkerError)
      expect(reason.code).toBe('RUBY_WORKER_EXITED')
      expect(reason.message).toContain(`The Ruby worker (pid ${pid}, ruby) exited with code 5`)
    }
    const next = await loaded('after', 'def handler(input, context) = Process.pid')
    const newPid = await pool.invoke(next, event(), context())
    expect(newPid).not.toBe(pid)
    expect(pool.pids()).toEqual([newPid])
  })
})
