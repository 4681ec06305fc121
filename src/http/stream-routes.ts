import { type Response, Router } from 'express'
import type { Runtime } from '../runtime/create-runtime.ts'
import type { StreamDefinition } from '../streams/load-stream.ts'
import { toNumberCursor, toPageQuery } from './page-query.ts'

/** One page of a list read whole (stream groups and items are read whole by the store): the `limit` from `cursor` on. */
function pageOf<T>(list: T[], query: Parameters<typeof toPageQuery>[0]): { page: T[]; nextCursor: string | null } {
  const { limit, cursor } = toPageQuery(query, 1000, 1000)
  const from = toNumberCursor(cursor) ?? 0
  const next = from + limit
  return { page: list.slice(from, next), nextCursor: next < list.length ? String(next) : null }
}

function describe(definition: StreamDefinition) {
  return {
    name: definition.name,
    file: definition.relativeFile,
    schema: definition.jsonSchema ?? null,
    storageType: definition.config.baseConfig?.storageType ?? 'default',
    validate: definition.config.validate === true,
    canAccess: typeof definition.config.canAccess === 'function',
  }
}

/** The stream endpoints: streams, the groups of one (listed, not guessed), and the items of a group. */
export function createStreamRoutes(runtime: Runtime): Router {
  const router = Router()
  const { registry, store } = runtime.streams
  const find = (res: Response, name: string): StreamDefinition | undefined => {
    const definition = registry.get(name)
    if (!definition) res.status(404).json({ error: `No stream named "${name}". Stream files are *.stream.ts or *_stream.py under steps/ or src/.` })
    return definition
  }

  router.get('/__motia/streams', (_req, res) => {
    res.json({ streams: registry.list().map(describe).sort((a, b) => a.name.localeCompare(b.name)) })
  })

  router.get('/__motia/streams/:name', (req, res) => {
    const definition = find(res, req.params['name'] as string)
    if (definition) res.json(describe(definition))
  })

  router.get('/__motia/streams/:name/groups', async (req, res) => {
    const definition = find(res, req.params['name'] as string)
    if (!definition) return
    // A stream with storage of its own cannot list its groups.
    const { page, nextCursor } = pageOf(definition.custom ? [] : await store.groups(definition.name), req.query)
    res.json({ stream: definition.name, groups: page, listed: !definition.custom, nextCursor })
  })

  router.get('/__motia/streams/:name/groups/:group', async (req, res) => {
    const definition = find(res, req.params['name'] as string)
    if (!definition) return
    const group = req.params['group'] as string
    const { page, nextCursor } = pageOf(
      definition.custom ? await definition.custom.getGroup(group) : await store.getGroup(definition.name, group),
      req.query,
    )
    res.json({ stream: definition.name, group, items: page, nextCursor })
  })

  return router
}
