import { fileURLToPath } from 'node:url'
import { PythonHandlerError, PythonWorkerError } from '../errors.ts'
import type { WorkerLanguage } from '../workers/language.ts'

const runner = fileURLToPath(new URL('./runner.py', import.meta.url))

/** Python steps: `*_step.py` files run by `runner.py` in `MOTIA_PYTHON` (default `python3`) workers. */
export const pythonLanguage: WorkerLanguage = {
  name: 'Python',
  logKey: 'python',
  isFile: (file) => file.endsWith('.py'),
  interpreterEnv: 'MOTIA_PYTHON',
  defaultInterpreter: 'python3',
  workersEnv: 'MOTIA_PYTHON_WORKERS',
  requirement: 'Python 3.9 or newer',
  spawn: () => ({ args: [runner], env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' } }),
  handlerError: (type, message, trace) => new PythonHandlerError(type, message, trace),
  workerError: (failure, message, options) => new PythonWorkerError(`PYTHON_${failure}`, message, options),
  defineConfig: '`config = {...}`',
  defineHandler: '`async def handler(...)`',
}
