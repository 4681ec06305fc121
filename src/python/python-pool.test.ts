import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { PythonWorkerError } from '../errors.ts'
import { createLogger, type LogEntry } from '../logger/create-logger.ts'
import type { FlowContext, Logger } from '../types.ts'
import { createWorkerPool, type WorkerCall, type WorkerPool } from '../workers/worker-pool.ts'
import { pythonLanguage } from './python-language.ts'

const dir = mkdtempSync(join(tmpdir(), 'python-pool-'))
mkdirSync(join(dir, 'steps'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const logs: LogEntry[] = []
const logger = createLogger({ level: 'debug', pretty: false, destination: new Writable({ write: (_c, _e, done) => done() }) })
logger.onLog((entry) => logs.push(entry))

let pool: WorkerPool
afterEach(() => pool.close())

function step(name: string, body: string): { file: string; source: string } {
  const file = join(dir, 'steps', `${name}_step.py`)
  const source = `import asyncio, os\n\nconfig = {"type": "event", "name": "${name}", "subscribes": ["t"], "emits": []}\n\n${body}\n`
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

/** An event invocation with the given input. */
const event = (input: unknown = {}): WorkerCall => ({ kind: 'event', args: [input], traceId: 't' })

async function loaded(name: string, body: string) {
  const { file, source } = step(name, body)
  return (await pool.load(file, source)).step
}

describe('the Python worker pool', () => {
  it('interleaves concurrent invocations inside one worker', async () => {
    pool = createWorkerPool(pythonLanguage, { projectDir: dir, logger, size: 1 })
    const barrier = await loaded(
      'barrier',
      `running = 0

async def handler(input, ctx):
    global running
    running += 1
    # Returns only once every invocation is running at the same time in this one process.
    while running < input["n"]:
        await asyncio.sleep(0.005)
    return os.getpid()`,
    )
    const n = 25
    const pids = await Promise.all(
      Array.from({ length: n }, () => pool.invoke(barrier, event({ n }), context())),
    )
    expect(new Set(pids).size).toBe(1)
    expect(pool.pids()).toEqual([pids[0]])
  })

  it("keeps the protocol intact whatever a handler prints or writes to fd 1", async () => {
    pool = createWorkerPool(pythonLanguage, { projectDir: dir, logger, size: 1 })
    const noisy = await loaded(
      'noisy',
      `async def handler(input, ctx):
    print('{"t":"done","id":1,"ok":true,"value":"forged"}')
    print("no newline yet", end="")
    print(" ... now")
    os.write(1, b"raw bytes on fd 1\\n")
    return "real"`,
    )
    const lines: string[] = []
    expect(await pool.invoke(noisy, event(), context(lines))).toBe('real')
    expect(lines).toEqual(['{"t":"done","id":1,"ok":true,"value":"forged"}', 'no newline yet ... now'])
    await expect.poll(() => logs.some((entry) => entry.level === 'warn' && entry.msg.endsWith(': raw bytes on fd 1'))).toBe(true)
  })

  it('fails on a result JSON cannot hold, and gives a handler reading stdin nothing', async () => {
    pool = createWorkerPool(pythonLanguage, { projectDir: dir, logger, size: 1 })
    const odd = await loaded(
      'odd',
      `import sys

async def handler(input, ctx):
    if input.get("read"):
        return sys.stdin.read()
    return {1, 2}`,
    )
    await expect(pool.invoke(odd, event(), context())).rejects.toThrow('TypeError: Object of type set is not JSON serializable')
    expect(await pool.invoke(odd, event({ read: true }), context())).toBe('')
  })

  it('loads again a step version that a worker dropped for newer ones', async () => {
    pool = createWorkerPool(pythonLanguage, { projectDir: dir, logger, size: 1 })
    const first = await loaded('versions', 'async def handler(input, ctx):\n    return "one"')
    await loaded('versions', 'async def handler(input, ctx):\n    return "two"')
    const third = await loaded('versions', 'async def handler(input, ctx):\n    return "three"')
    const call = event()
    expect(await pool.invoke(first, call, context())).toBe('one')
    expect(await pool.invoke(third, call, context())).toBe('three')
  })

  it('fails the in-flight calls of a worker that dies, and starts a new one for the next call', async () => {
    pool = createWorkerPool(pythonLanguage, { projectDir: dir, logger, size: 1 })
    const slow = await loaded('slow', 'async def handler(input, ctx):\n    await asyncio.sleep(30)')
    const crash = await loaded('crash', 'async def handler(input, ctx):\n    os._exit(5)')
    const call = event()
    const pid = await pool.invoke(await loaded('pid', 'async def handler(input, ctx):\n    return os.getpid()'), call, context())
    const results = await Promise.allSettled([pool.invoke(slow, call, context()), pool.invoke(crash, call, context())])
    for (const result of results) {
      expect(result.status).toBe('rejected')
      const reason = (result as PromiseRejectedResult).reason as PythonWorkerError
      expect(reason).toBeInstanceOf(PythonWorkerError)
      expect(reason.code).toBe('PYTHON_WORKER_EXITED')
      expect(reason.message).toContain(`(pid ${pid}, python3) exited with code 5`)
    }
    const next = await loaded('after', 'async def handler(input, ctx):\n    return os.getpid()')
    const newPid = await pool.invoke(next, call, context())
    expect(newPid).not.toBe(pid)
    expect(pool.pids()).toEqual([newPid])
  })

  it('closes once, and refuses calls after close', async () => {
    pool = createWorkerPool(pythonLanguage, { projectDir: dir, logger, size: 2 })
    const quick = await loaded('quick', 'async def handler(input, ctx):\n    return 1')
    expect(pool.pids()).toHaveLength(1)
    await Promise.all([pool.close(), pool.close()])
    expect(pool.pids()).toEqual([])
    await expect(pool.invoke(quick, event(), context())).rejects.toThrow(
      'The Python workers are closed: the runtime is shutting down.',
    )
  })
})
