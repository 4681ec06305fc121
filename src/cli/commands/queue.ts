import { requestJson } from '../http-client.ts'
import { toServerUrl } from '../options.ts'

interface ClientFlags {
  port?: string
  host?: string
  url?: string
  json?: boolean
}

/** `motia-like queue pause|resume <step>`: holds or releases an event step's jobs in a running server. */
export async function toggleQueue(verb: 'pause' | 'resume', step: string, flags: ClientFlags): Promise<void> {
  const result = (await requestJson(toServerUrl(flags), 'POST', `/__motia/queues/${encodeURIComponent(step)}/${verb}`)) as {
    step: string
    paused: boolean
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    return
  }
  process.stdout.write(
    result.paused
      ? `Paused "${result.step}": its jobs wait (new ones too) until \`motia-like queue resume ${result.step}\`.\n`
      : `Resumed "${result.step}".\n`,
  )
}

/** `motia-like queue list`: the paused steps. */
export async function listQueues(flags: ClientFlags): Promise<void> {
  const result = (await requestJson(toServerUrl(flags), 'GET', '/__motia/queues')) as { paused: string[] }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    return
  }
  process.stdout.write(result.paused.length > 0 ? `Paused: ${result.paused.join(', ')}\n` : 'No step is paused.\n')
}
