import { fileURLToPath } from 'node:url'
import { RubyHandlerError, RubyWorkerError } from '../errors.ts'
import type { WorkerLanguage } from '../workers/language.ts'

const runner = fileURLToPath(new URL('./runner.rb', import.meta.url))

/**
 * Ruby steps: `*.step.rb` and `*_step.rb` files run by `runner.rb` in `MOTIA_RUBY` (default `ruby`)
 * workers; the runner sets up Bundler itself when the project has a Gemfile, as `bundle exec` would.
 */
export const rubyLanguage: WorkerLanguage = {
  name: 'Ruby',
  logKey: 'ruby',
  isFile: (file) => file.endsWith('.rb'),
  interpreterEnv: 'MOTIA_RUBY',
  defaultInterpreter: 'ruby',
  workersEnv: 'MOTIA_RUBY_WORKERS',
  requirement: 'Ruby 3.0 or newer',
  // Warnings on (-W1, the default) so a step's warnings reach the log; UTF-8 whatever the locale.
  spawn: () => ({ args: ['-W1', '-E', 'UTF-8:UTF-8', runner], env: {} }),
  handlerError: (type, message, trace) => new RubyHandlerError(type, message, trace),
  workerError: (failure, message, options) => new RubyWorkerError(`RUBY_${failure}`, message, options),
  defineConfig: '`def config` (returning a Hash)',
  defineHandler: '`def handler(input, context)`',
}
