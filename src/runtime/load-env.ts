import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'

const fromEnvFile = new Set<string>()

/**
 * Loads the project's `.env` into process.env. Variables set by the real environment win; ones the
 * file set before are replaced, so an edited `.env` takes effect on restart.
 */
export function loadEnvFile(projectDir: string): void {
  let text: string
  try {
    text = readFileSync(join(projectDir, '.env'), 'utf8')
  } catch {
    return
  }
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (process.env[key] !== undefined && !fromEnvFile.has(key)) continue
    process.env[key] = value
    fromEnvFile.add(key)
  }
}
