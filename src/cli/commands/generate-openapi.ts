import { readFile, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { readSteps } from '../../codegen/read-steps.ts'
import { toOpenApi } from '../../codegen/to-openapi.ts'
import { claimStdout } from '../claim-stdout.ts'
import { toProjectDir } from '../options.ts'

interface OpenApiFlags {
  dir?: string
  out?: string
  title?: string
  version?: string
}

/** Name and version from the project's package.json, for the document's `info`. */
async function packageInfo(projectDir: string): Promise<{ name?: string; version?: string; description?: string }> {
  const text = await readFile(join(projectDir, 'package.json'), 'utf8').catch(() => '{}')
  try {
    return JSON.parse(text) as { name?: string; version?: string; description?: string }
  } catch {
    return {}
  }
}

/** `motia-like generate openapi`: writes an OpenAPI 3.1 document of the API steps (`--out -` prints it). */
export async function generateOpenApi(flags: OpenApiFlags): Promise<void> {
  const print = claimStdout()
  const projectDir = toProjectDir(flags.dir)
  const { steps, errors } = await readSteps(projectDir)
  for (const error of errors) process.stderr.write(`error: ${error.message}\n`)
  const pkg = await packageInfo(projectDir)
  const document = toOpenApi(steps, {
    title: flags.title ?? pkg.name ?? 'API',
    version: flags.version ?? pkg.version ?? '0.0.0',
    ...(pkg.description ? { description: pkg.description } : {}),
  })
  const text = `${JSON.stringify(document, null, 2)}\n`
  if (flags.out === '-') print(text)
  else {
    const file = resolve(flags.out ?? join(projectDir, 'openapi.json'))
    await writeFile(file, text)
    const operations = Object.values(document.paths).reduce((count, item) => count + Object.keys(item).length, 0)
    print(`wrote ${relative(process.cwd(), file) || file} (${operations} operations)\n`)
  }
  if (errors.length > 0) process.exitCode = 1
}
