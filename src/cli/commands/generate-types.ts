import { relative, resolve } from 'node:path'
import type { TypesModule } from '../../codegen/generate-types.ts'
import { readSteps } from '../../codegen/read-steps.ts'
import { typesFilePath, writeTypesFile } from '../../codegen/write-types-file.ts'
import { claimStdout } from '../claim-stdout.ts'
import { CliError } from '../cli-error.ts'
import { toProjectDir } from '../options.ts'

const modules: TypesModule[] = ['motia-like', 'motia']

/** `motia-like generate types`: writes `types.d.ts` so `Handlers['StepName']` is typed. */
export async function generateTypes(flags: { dir?: string; out?: string; module?: string }): Promise<void> {
  if (flags.module !== undefined && !modules.includes(flags.module as TypesModule)) {
    throw new CliError(`Unknown --module "${flags.module}". Use motia-like, or motia for step files that import from 'motia'.`)
  }
  const print = claimStdout()
  const projectDir = toProjectDir(flags.dir)
  const file = flags.out ? resolve(flags.out) : typesFilePath(projectDir)
  const { steps, streams, errors } = await readSteps(projectDir)
  for (const error of errors) process.stderr.write(`error: ${error.message}\n`)
  const { changed } = await writeTypesFile(file, steps, { streams, ...(flags.module ? { module: flags.module as TypesModule } : {}) })
  const handled = steps.filter((step) => step.type !== 'noop').length
  print(`${changed ? 'wrote' : 'unchanged:'} ${relative(process.cwd(), file) || file} (${handled} handlers)\n`)
  if (errors.length > 0) process.exitCode = 1
}
