import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import fg from 'fast-glob'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..')

/** Every relative import of every TypeScript file under `folders`, as repo paths. */
function importsOf(folders: string[]): { file: string; target: string }[] {
  const files = fg.sync(folders.map((folder) => `${folder}/**/*.ts`), { cwd: root })
  return files.flatMap((file) => {
    const text = readFileSync(join(root, file), 'utf8')
    return [...text.matchAll(/(?:from |import\()'(\.{1,2}\/[^']+)'/g)].map((match) => ({
      file,
      target: relative(root, resolve(dirname(join(root, file)), match[1] as string)),
    }))
  })
}

const backendOf = (path: string) => /^src\/backends\/([^/]+)\//.exec(path)?.[1]

describe('source layout', () => {
  it("imports a backend's files only from that backend, the chooser, the bench and that backend's tests", () => {
    const strays = importsOf(['src', 'test']).filter(({ file, target }) => {
      const backend = backendOf(target)
      if (!backend || backendOf(file) === backend) return false
      if (file === 'src/backends/open-backend.ts') return false
      // Integration tests of the Redis backend share its test support (server URL, key prefixes).
      return !(target === 'src/backends/redis/redis-test-support.ts' && file.startsWith('test/'))
    })
    expect(strays).toEqual([])
  })

  it('lets no runtime file import the HTTP layer', () => {
    expect(importsOf(['src/runtime']).filter(({ target }) => target.startsWith('src/http/'))).toEqual([])
  })
})
