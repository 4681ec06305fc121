/** JSON calls to the server's /__motia endpoints; a failure throws an Error with the server's message. */

async function parse(response) {
  const text = await response.text()
  const body = text ? JSON.parse(text) : null
  if (!response.ok) throw new Error(body?.error ?? `${response.status} ${response.statusText}`)
  return body
}

/** GET a JSON endpoint; `query` values that are empty are left out. */
export async function getJson(path, query = {}) {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, value)
  const search = params.toString()
  return parse(await fetch(search ? `${path}?${search}` : path, { headers: { accept: 'application/json' } }))
}

/** POST JSON to an endpoint. */
export async function postJson(path, body) {
  return parse(
    await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body ?? {}),
    }),
  )
}
