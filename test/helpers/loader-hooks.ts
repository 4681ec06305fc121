import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Writes module hooks (`resolve`, `load`) as `<dir>/<name>.mjs` and returns the NODE_OPTIONS that register them in a spawned process. */
export function hookOptions(dir: string, name: string, source: string): string {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${name}.mjs`), source)
  const register = join(dir, `register-${name}.mjs`)
  writeFileSync(register, `import { register } from 'node:module'\nregister('./${name}.mjs', import.meta.url)\n`)
  return `--import ${pathToFileURL(register).href}`
}
