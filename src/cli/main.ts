import { Command } from 'commander'
import { keepTickShape } from '../app/keep-tick-shape.ts'
import { toErrorMessage } from '../errors.ts'
import { shareZodWithSteps } from '../steps/shared-zod.ts'

keepTickShape()

// The bundled CLI imports zod from dist/vendor/zod.js (scripts/bundle-cli.mjs); step files loaded from source share it.
shareZodWithSteps(new URL('../vendor/zod.js', import.meta.url))

const debug = process.argv.includes('--debug')

/** Runs a command body; a failure is one line on stderr and exit code 1 (a stack only with --debug). */
function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await run(...args)
    } catch (error) {
      process.stderr.write(`motia-like: ${toErrorMessage(error)}\n`)
      if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
      process.exitCode = 1
    }
  }
}

const program = new Command()
  .name('motia-like')
  .description('Run a folder of step files as a backend: API, event and cron steps with background jobs.')
  .option('--debug', 'print stacks of errors')
  .showHelpAfterError()

for (const mode of ['dev', 'start'] as const) {
  const command = program
    .command(mode)
    .description(
      mode === 'dev'
        ? 'run the project for development: hot reload, the Workbench, readable logs, error details in responses'
        : 'run the project for production: admin endpoints only on loopback or with MOTIA_ADMIN_TOKEN',
    )
    .option('-d, --dir <dir>', 'project folder', process.cwd())
    .option('-p, --port <port>', 'port (default: PORT or 3000)')
    .option('-H, --host <host>', 'host to bind (default: HOST or 127.0.0.1)')
    .option('--memory', 'keep state and jobs in memory instead of .motia-like/data.db')
    .option('--require-token', 'ask every caller of the admin endpoints for MOTIA_ADMIN_TOKEN, loopback included (also MOTIA_REQUIRE_ADMIN_TOKEN=1)')
  if (mode === 'start') {
    command
      .option('--workbench', 'serve the Workbench at /__motia/workbench (also MOTIA_WORKBENCH=1)')
      .option('--build <dir>', 'where `motia-like build` wrote, relative to the project', '.motia-like/build')
  }
  command.action(action(async (flags) => (await import('./commands/serve.ts')).serve(mode, flags)))
}

program
  .command('build')
  .description('compile the step, stream and config files, so `start` loads them without a TypeScript loader')
  .option('-d, --dir <dir>', 'project folder', process.cwd())
  .option('-o, --out <dir>', 'where to write, relative to the project', '.motia-like/build')
  .action(action(async (flags) => (await import('./commands/build.ts')).buildCommand(flags)))

program
  .command('graph')
  .description('print the flow graph of the project')
  .option('-d, --dir <dir>', 'project folder', process.cwd())
  .option('-f, --format <format>', 'json, mermaid or dot', 'mermaid')
  .option('--flow <name>', 'only the steps of one flow')
  .option('--check', 'exit 1 when there are graph warnings or load errors')
  .action(action(async (flags) => (await import('./commands/graph.ts')).graph(flags)))

program
  .command('emit')
  .description('emit an event into a running server')
  .requiredOption('-t, --topic <topic>', 'topic to emit')
  .option('--data <json>', 'event data as JSON', '{}')
  .option('-p, --port <port>', 'port of the server (default: PORT or 3000)')
  .option('-H, --host <host>', 'host of the server')
  .option('--url <url>', 'base URL of the server')
  .action(action(async (flags) => (await import('./commands/emit.ts')).emit(flags)))

const jobs = program.command('jobs').description('inspect and drive the jobs of a running server')
const jobFlags = (command: Command) =>
  command
    .option('-p, --port <port>', 'port of the server (default: PORT or 3000)')
    .option('-H, --host <host>', 'host of the server')
    .option('--url <url>', 'base URL of the server')
    .option('--json', 'print JSON')
jobFlags(
  jobs
    .command('list')
    .description('list jobs, newest first')
    .option('-s, --status <status>', 'pending, running, completed, failed, cancelled, dead or skipped')
    .option('--step <step>', 'only jobs of this step')
    .option('--topic <topic>', 'only jobs of this topic')
    .option('--search <text>', 'text in the payload')
    .option('-n, --limit <n>', 'how many', '20'),
).action(action(async (flags) => (await import('./commands/jobs.ts')).listJobs(flags)))
for (const verb of ['show', 'cancel'] as const) {
  jobFlags(jobs.command(`${verb} <id>`).description(`${verb} one job`)).action(
    action(async (id: string, flags) => (await import('./commands/jobs.ts')).jobAction(verb, id, flags)),
  )
}
jobFlags(
  jobs
    .command('retry [id]')
    .description('retry one job, or with --all every match (dead jobs unless --status says otherwise)')
    .option('--all', 'retry every job matching --status, --step and --topic')
    .option('-s, --status <status>', 'with --all: dead, failed or cancelled')
    .option('--step <step>', 'with --all: only jobs of this step')
    .option('--topic <topic>', 'with --all: only jobs of this topic'),
).action(action(async (id: string | undefined, flags) => (await import('./commands/jobs.ts')).retryJobs(id, flags)))

const queues = program.command('queue').description('pause and resume the queue of an event step in a running server')
for (const verb of ['pause', 'resume'] as const) {
  jobFlags(queues.command(`${verb} <step>`).description(`${verb} the jobs of one event step`)).action(
    action(async (step: string, flags) => (await import('./commands/queue.ts')).toggleQueue(verb, step, flags)),
  )
}
jobFlags(queues.command('list').description('list the paused steps')).action(
  action(async (flags) => (await import('./commands/queue.ts')).listQueues(flags)),
)

program
  .command('create <dir>')
  .description('create a new project from a template')
  .option('-t, --template <name>', 'basic or background-jobs', 'basic')
  .action(action(async (dir: string, flags) => (await import('./commands/create.ts')).create(dir, flags)))

const generate = program.command('generate').description('write step files, handler types or an OpenAPI document')
generate
  .command('step')
  .description('write a new step file (asks for what the flags leave out, in a terminal only)')
  .option('-d, --dir <dir>', 'project folder', process.cwd())
  .option('-t, --type <type>', 'api, event or cron')
  .option('-n, --name <name>', 'step name, for example SendEmail')
  .option('--subscribes <topics>', 'event: topics to subscribe to, comma-separated')
  .option('--emits <topics>', 'topics the step may emit, comma-separated')
  .option('--method <method>', 'api: HTTP method', 'GET')
  .option('--path <path>', 'api: express path, for example /orders/:id')
  .option('--cron <expression>', 'cron: schedule, for example "0 * * * *"')
  .option('--flow <flows>', 'flows the step belongs to, comma-separated', 'default')
  .option('--description <text>', 'what the step does')
  .action(action(async (flags) => (await import('./commands/generate-step.ts')).generateStep(flags)))
generate
  .command('types')
  .description("write types.d.ts so Handlers['StepName'] is typed from the step schemas")
  .option('-d, --dir <dir>', 'project folder', process.cwd())
  .option('-o, --out <file>', 'where to write (default: types.d.ts in the project)')
  .option('--module <name>', "module to augment: motia-like, or motia for step files that import from 'motia'")
  .action(action(async (flags) => (await import('./commands/generate-types.ts')).generateTypes(flags)))

generate
  .command('openapi')
  .description('write an OpenAPI 3.1 document of the API steps')
  .option('-d, --dir <dir>', 'project folder', process.cwd())
  .option('-o, --out <file>', 'where to write, - for stdout (default: openapi.json in the project)')
  .option('--title <title>', 'info.title (default: name in package.json)')
  .option('--version <version>', 'info.version (default: version in package.json)')
  .action(action(async (flags) => (await import('./commands/generate-openapi.ts')).generateOpenApi(flags)))

await program.parseAsync(process.argv)
