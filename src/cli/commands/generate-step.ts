import { API_METHODS } from '../../steps/config-schema.ts'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { readSteps } from '../../codegen/read-steps.ts'
import { type NewStep, stepFileName, toStepSource } from '../../codegen/step-source.ts'
import { stepConfigSchema } from '../../steps/config-schema.ts'
import type { ApiRouteMethod } from '../../types.ts'
import { CliError } from '../cli-error.ts'
import { toProjectDir } from '../options.ts'

export interface StepFlags {
  dir?: string
  type?: string
  name?: string
  subscribes?: string
  emits?: string
  method?: string
  path?: string
  cron?: string
  flow?: string
  description?: string
}

const types = ['api', 'event', 'cron']
const methods: readonly string[] = API_METHODS
const examples: Record<string, string> = {
  type: 'event',
  name: 'SendEmail',
  subscribes: 'user.created',
  path: '/orders/:id',
  cron: "'0 * * * *'",
}

const splitList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)

/** Asks for what the flags left out, in a terminal only; elsewhere a missing flag is an error naming it. */
function createAsker(): { ask(flag: string, question: string): Promise<string>; close(): void } {
  const terminal = process.stdin.isTTY ? createInterface({ input: process.stdin, output: process.stdout }) : undefined
  return {
    async ask(flag, question) {
      if (!terminal) throw new CliError(`Missing --${flag}. Pass it, for example --${flag} ${examples[flag] ?? '…'}.`)
      const answer = (await terminal.question(`${question}: `)).trim()
      if (!answer) throw new CliError(`No ${flag} given. Run again and answer, or pass --${flag}.`)
      return answer
    },
    close: () => terminal?.close(),
  }
}

async function toNewStep(flags: StepFlags, ask: (flag: string, question: string) => Promise<string>): Promise<NewStep> {
  const type = flags.type ?? (await ask('type', `Step type (${types.join(', ')})`))
  if (!types.includes(type)) throw new CliError(`Unknown --type "${type}". Use api, event or cron.`)
  const name = flags.name ?? (await ask('name', 'Step name (for example SendEmail)'))
  if (!/^[A-Za-z][\w.-]*$/.test(name)) {
    throw new CliError(`Invalid --name "${name}": start with a letter, then letters, digits, "_", "-" or ".".`)
  }
  const common = {
    name,
    emits: splitList(flags.emits),
    flows: splitList(flags.flow ?? 'default'),
    ...(flags.description ? { description: flags.description } : {}),
  }
  if (type === 'event') {
    const subscribes = splitList(flags.subscribes ?? (await ask('subscribes', 'Topics it subscribes to, comma-separated')))
    return { type, subscribes, ...common }
  }
  if (type === 'api') {
    const method = (flags.method ?? 'GET').toUpperCase()
    if (!methods.includes(method)) throw new CliError(`Unknown --method "${flags.method}". Use one of ${methods.join(', ')}.`)
    const path = flags.path ?? (await ask('path', 'Path (for example /orders/:id)'))
    return { type, method: method as ApiRouteMethod, path, ...common }
  }
  return { type: 'cron', cron: flags.cron ?? (await ask('cron', 'Cron expression (for example 0 * * * *)')), ...common }
}

/** The config the file will hold, checked by the loader's own schema so the file loads once written. */
function checkConfig(step: NewStep): void {
  const parsed = stepConfigSchema.safeParse({ ...step })
  if (parsed.success) return
  const issue = parsed.error.issues[0]
  const field = issue?.path.join('.') || 'config'
  throw new CliError(`Invalid ${field === 'cron' ? '--cron' : field === 'path' ? '--path' : field}: ${issue?.message ?? 'invalid'}.`)
}

/** `motia-like generate step`: writes `steps/<name>.step.ts`; asks for missing values only in a terminal. */
export async function generateStep(flags: StepFlags): Promise<void> {
  const asker = createAsker()
  let step: NewStep
  try {
    step = await toNewStep(flags, asker.ask)
  } finally {
    asker.close()
  }
  checkConfig(step)
  const projectDir = toProjectDir(flags.dir)
  const file = join(projectDir, 'steps', stepFileName(step.name))
  const shown = relative(process.cwd(), file) || file
  if (existsSync(file)) throw new CliError(`${shown} already exists. Choose another --name, or delete the file first.`)
  const { steps } = await readSteps(projectDir)
  const sameName = steps.find((existing) => existing.name === step.name)
  if (sameName) throw new CliError(`A step named "${step.name}" already exists in ${sameName.relativeFile}. Choose another --name.`)
  if (step.type === 'api') {
    const route = steps.find(
      (existing) => existing.config.type === 'api' && existing.config.method === step.method && existing.config.path === step.path,
    )
    if (route) throw new CliError(`${step.method} ${step.path} is already served by ${route.relativeFile}. Choose another --path or --method.`)
  }
  await mkdir(join(projectDir, 'steps'), { recursive: true })
  await writeFile(file, toStepSource(step), { flag: 'wx' })
  process.stdout.write(`wrote ${shown}\n`)
}
