import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { eventually, type ServerProcess, spawnServer } from './spawn-cli.ts'
import { copyFixture } from './start-fixture.ts'

/** A copy of a fixture served by `motia-like dev`, with the edits and reads a reload test makes. */
export interface DevProject {
  dir: string
  server: ServerProcess
  file(path: string): string
  /** Replaces text in a project file, written whole and renamed into place so a reload never reads half of it. */
  edit(path: string, from: string, to: string): void
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>
  /** Resolves with the body once `path` answers `status` and the body matches. */
  until(path: string, status: number, match?: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  loadErrors(): Promise<{ file: string; line?: number; message: string }[]>
  remove(): void
}

/** Copies the fixture `name` and serves it with `dev`. */
export async function startDevProject(name: string): Promise<DevProject> {
  const project = copyFixture(name)
  const server = await spawnServer('dev', project.dir)
  const file = (path: string) => join(project.dir, path)
  async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${server.url}${path}`)
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  return {
    dir: project.dir,
    server,
    file,
    edit(path, from, to) {
      writeFileSync(`${file(path)}.tmp`, readFileSync(file(path), 'utf8').replace(from, to))
      renameSync(`${file(path)}.tmp`, file(path))
    },
    get,
    until: (path, status, match = () => true) =>
      eventually(async () => {
        const result = await get(path)
        return result.status === status && match(result.body) ? result.body : undefined
      }),
    loadErrors: async () => (await get('/__motia/steps')).body['errors'] as { file: string; line?: number; message: string }[],
    remove: project.remove,
  }
}
