import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { Writable } from 'node:stream'
import { createLogger, type LogEntry } from '../../src/logger/create-logger.ts'
import { type App, type AppOptions, startApp } from '../../src/app/start-app.ts'

/** Absolute path of a fixture project under test/fixtures. */
export function fixture(name: string): string {
  return resolve(import.meta.dirname, '..', 'fixtures', name)
}

/** A started fixture server plus the log entries it wrote. */
export interface TestApp extends App {
  logs: LogEntry[]
  fetch(path: string, init?: RequestInit): Promise<Response>
  json<T = unknown>(path: string, init?: RequestInit & { body?: string }): Promise<{ status: number; body: T; headers: Headers }>
}

/** Starts the real server on port 0 for a project folder, with logs captured instead of printed. */
export async function startFixture(projectDir: string, options: Partial<AppOptions> = {}): Promise<TestApp> {
  const logs: LogEntry[] = []
  const logger = createLogger({ level: 'debug', pretty: false, destination: new Writable({ write: (_c, _e, done) => done() }) })
  logger.onLog((entry) => logs.push(entry))
  const app = await startApp({ projectDir, mode: 'dev', port: 0, host: '127.0.0.1', memory: true, logger, ...options })
  const fetchPath = (path: string, init?: RequestInit) => fetch(`${app.url}${path}`, init)
  return {
    ...app,
    logs,
    fetch: fetchPath,
    async json(path, init) {
      const response = await fetchPath(path, {
        ...init,
        headers: { 'content-type': 'application/json', ...(init?.headers as Record<string, string> | undefined) },
      })
      const text = await response.text()
      return { status: response.status, body: (text ? JSON.parse(text) : null), headers: response.headers }
    },
  }
}

const repoRoot = resolve(import.meta.dirname, '..', '..')

/**
 * Copies a fixture into a fresh temporary folder, for tests that write files or databases. Its
 * node_modules links `zod` and `motia-like` (this checkout), as an installed project would have them.
 */
export function copyFixture(name: string): { dir: string; remove: () => void } {
  return copyProject(fixture(name), name)
}

/** Copies the demo project (`steps/` at the repo root) into a fresh temporary folder, as `copyFixture` does. */
export function copyDemo(): { dir: string; remove: () => void } {
  return copyProject(join(repoRoot, 'steps'), 'demo', 'steps')
}

/** Copies a template of `templates/` into a fresh temporary folder, as `copyFixture` does. */
export function copyTemplate(name: string): { dir: string; remove: () => void } {
  return copyProject(join(repoRoot, 'templates', name), name)
}

function copyProject(source: string, name: string, into = ''): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `motia-like-${name}-`))
  // `.motia-like` holds what earlier runs left in the source folder (the start cache, data): never part of a fresh copy.
  cpSync(source, join(dir, into), { recursive: true, filter: (path) => basename(path) !== '.motia-like' })
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(repoRoot, join(dir, 'node_modules', 'motia-like'), 'dir')
  symlinkSync(join(repoRoot, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir')
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
