import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'

const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'motia-like.js')

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [code] = (await once(child, 'exit')) as [number]
  return { code, stdout, stderr }
}

/** A `motia-like` server process; resolves once it prints its URL. */
export interface ServerProcess {
  url: string
  child: ChildProcess
  output(): string
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Spawns `motia-like <command> --port 0` and waits for the ready line; `env` adds to the environment. */
export async function spawnServer(
  command: 'start' | 'dev',
  dir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [bin, command, '--port', '0', '--dir', dir, ...extra], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', ...env },
  })
  let output = ''
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /ready at (http:\/\/\S+)/.exec(output)
      if (match?.[1]) resolveUrl(match[1])
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before it was ready:\n${output}`)))
  })
  return {
    url,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode
      child.kill(signal)
      const [code] = (await once(child, 'exit')) as [number | null]
      return code
    },
  }
}

/**
 * Calls `check` until it returns a value, or fails after `timeoutMs`; for state owned by another
 * process. A rejection (a server restarting) counts as not yet.
 */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    const value = await check().catch((error: unknown) => {
      lastError = error
      return undefined
    })
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`, { cause: lastError })
    await new Promise<void>((resolveTurn) => setImmediate(resolveTurn))
  }
}
