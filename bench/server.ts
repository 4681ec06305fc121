import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'

export const repoRoot = resolve(import.meta.dirname, '..')
const cli = resolve(repoRoot, 'bin', 'motia-like.js')
const READY = /ready at (http:\/\/\S+)/
const READY_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 3_000
/** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ). */
const CLOCK_TICK_MS = 10

/** The body every "hello" endpoint answers, in the generated projects and in the bare express app. */
export const HELLO_BODY = { message: 'hello world' }

/** The least an express server can do: one route answering the same JSON body. */
const bareExpressSource = `
const app = require('express')()
app.get('/hello', (_req, res) => { res.json(${JSON.stringify(HELLO_BODY)}) })
const server = app.listen(0, '127.0.0.1', () => console.log('ready at http://127.0.0.1:' + server.address().port))
`

/** A spawned server that printed its URL. */
export interface ServerProcess {
  url: string
  pid: number
  /** `performance.now()` just before the spawn. */
  spawnedAt: number
  output(): string
  stop(): Promise<void>
}

const children = new Set<ChildProcess>()

/** Starts `motia-like <mode> --port 0 --dir <dir> [...extra]`, with `env` added to this process's, and waits for its ready line. */
export function spawnCli(mode: 'start' | 'dev', dir: string, extra: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
  return spawnServer([cli, mode, '--port', '0', '--dir', dir, ...extra], dir, env)
}

/** Starts `node -e <source>` from the repo (so it resolves this checkout's packages); it must print `ready at <url>`. */
export function spawnNodeSource(source: string): Promise<ServerProcess> {
  return spawnServer(['-e', source], repoRoot)
}

/** Starts the bare express app (`node -e`) from the repo, so it resolves the same express; `env` adds to this process's. */
export function spawnBareExpress(env: Record<string, string> = {}): Promise<ServerProcess> {
  return spawnServer(['-e', bareExpressSource], repoRoot, env)
}

async function spawnServer(args: string[], cwd: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  let output = ''
  // Keep only the tail: the pipes must be drained for the whole run, but only the end helps an error message.
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const stop = () => stopChild(child)
  try {
    const url = await waitForReady(child, () => output)
    return { url, pid: child.pid as number, spawnedAt, output: () => output, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

function waitForReady(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => fail(`not ready within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS)
    const onData = () => {
      const match = READY.exec(output())
      if (!match?.[1]) return
      cleanUp()
      resolveUrl(match[1])
    }
    const onExit = (code: number | null) => fail(`exited with ${code} before it was ready`)
    function fail(reason: string) {
      cleanUp()
      reject(new Error(`Server ${child.spawnargs.slice(1, 3).join(' ')} ${reason}:\n${output().slice(-2000)}`))
    }
    function cleanUp() {
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.off('exit', onExit)
    }
    // Registered after the tail keeper, so output() already holds the chunk.
    child.stdout?.on('data', onData)
    child.once('exit', onExit)
  })
}

/** A node process driven a line at a time: each request written to its stdin is answered by one line on its stdout. */
export interface LineProcess {
  pid: number
  /** The line it printed when it was ready. */
  firstLine: string
  /** Writes `line` and resolves with the next line the process prints. */
  request(line: string): Promise<string>
  /** Closes its stdin and waits for it to exit; rejects if it failed. */
  close(): Promise<void>
}

/** Starts `node [...args]` and waits for its first line (it prints one when it is ready). */
export async function startLineProcess(args: string[], cwd: string = repoRoot): Promise<LineProcess> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] })
  children.add(child)
  const exited = once(child, 'exit').then(([code, signal]) => {
    children.delete(child)
    return (code ?? signal) as number | string | null
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)))
  // The async iterator buffers the lines printed between two reads.
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const nextLine = async (): Promise<string> => {
    const { value, done } = await lines.next()
    if (!done) return value
    throw new Error(`node ${args.join(' ').slice(0, 100)} exited with ${await exited}:\n${stderr}`)
  }
  const firstLine = await nextLine()
  return {
    pid: child.pid as number,
    firstLine,
    request(line) {
      child.stdin.write(`${line}\n`)
      return nextLine()
    },
    async close() {
      child.stdin.end()
      const why = await exited
      if (why !== 0) throw new Error(`node ${args.join(' ').slice(0, 100)} exited with ${why}:\n${stderr}`)
    },
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
  await exited
  clearTimeout(timer)
}

/** Stops every child this process started; safe to call more than once. */
export async function stopAll(): Promise<void> {
  await Promise.allSettled([...children].map(stopChild))
}

/** Last resort on exit: a synchronous SIGKILL to any child still alive. */
export function killAllNow(): void {
  for (const child of children) child.kill('SIGKILL')
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces; utime and stime are 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  const ticks = Number(fields[11]) + Number(fields[12])
  if (!Number.isFinite(ticks)) throw new Error(`No CPU times in /proc/${pid}/stat.`)
  return ticks * CLOCK_TICK_MS
}

/** Resident set size of a process in MB, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]
  if (!kb) throw new Error(`No VmRSS in /proc/${pid}/status.`)
  return Number(kb) / 1024
}
