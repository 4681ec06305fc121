import { CliError } from '../cli-error.ts'
import { requestJson } from '../http-client.ts'
import { toServerUrl } from '../options.ts'

/** `motia-like emit --topic T --data JSON`. */
export async function emit(flags: { topic: string; data: string; port?: string; host?: string; url?: string }): Promise<void> {
  let data: unknown
  try {
    data = JSON.parse(flags.data)
  } catch (error) {
    throw new CliError(`--data is not valid JSON (${(error as Error).message}). Quote it: --data '{"id": 1}'.`)
  }
  const result = (await requestJson(toServerUrl(flags), 'POST', '/emit', { topic: flags.topic, data })) as { traceId: string }
  process.stdout.write(`emitted "${flags.topic}" (trace ${result.traceId})\n`)
}
