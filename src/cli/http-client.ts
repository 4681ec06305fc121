import { CliError } from './cli-error.ts'

/** Calls a running server's JSON endpoint; connection and HTTP errors become one-line CliErrors. */
export async function requestJson(baseUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = {}
  if (body !== undefined) headers['content-type'] = 'application/json'
  const token = process.env['MOTIA_ADMIN_TOKEN']
  if (token) headers['authorization'] = `Bearer ${token}`
  let response: Response
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
  } catch {
    throw new CliError(`No server answers at ${baseUrl}. Start one with "motia-like dev" or pass --port.`)
  }
  const text = await response.text()
  const parsed: unknown = text ? JSON.parse(text) : null
  if (!response.ok) {
    const reason = (parsed as { error?: string } | null)?.error ?? response.statusText
    throw new CliError(`${method} ${path} answered ${response.status}: ${reason}`)
  }
  return parsed
}
