import type { Redis } from 'ioredis'
import { MotiaError } from '../../errors.ts'
import { compareCodePoints } from '../../state/compare-code-points.ts'
import type { StateStore } from '../../state/state-store.ts'
import { toNextCursor, toPage } from '../../state/to-page.ts'
import { toStateJson } from '../../state/to-state-json.ts'
import { whileReachable } from './redis-client.ts'
import { createRedisScript } from './redis-script.ts'

/** The connection and key prefix of the Redis state store; the connection stays open when the store closes. */
export interface RedisStateOptions {
  client: Redis
  /** For messages: the URL the client connects to. */
  url: string
  /** Keys are `<prefix>:state:<group>` (a hash), `<prefix>:state-keys:<group>` (its keys in order) and `<prefix>:state-groups` (a set). */
  prefix: string
}

// Removes a key and, when its group is left empty, the group's name: one atomic step.
const DELETE_SCRIPT = createRedisScript(`
  local value = redis.call('HGET', KEYS[1], ARGV[1])
  if value then
    redis.call('HDEL', KEYS[1], ARGV[1])
    redis.call('ZREM', KEYS[3], ARGV[1])
    if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
  end
  return value
`)

// A page of a group: the keys after the cursor from the sorted set of its keys (all at score 0, so in
// byte order), then their values. A group written before the index existed gets it on its first page.
const PAGE_SCRIPT = createRedisScript(`
  if redis.call('EXISTS', KEYS[2]) == 0 then
    local keys = redis.call('HKEYS', KEYS[1])
    for i = 1, #keys, 1000 do
      local args = {}
      for j = i, math.min(i + 999, #keys) do
        args[#args + 1] = 0
        args[#args + 1] = keys[j]
      end
      redis.call('ZADD', KEYS[2], unpack(args))
    end
  end
  local keys = redis.call('ZRANGEBYLEX', KEYS[2], ARGV[1], '+', 'LIMIT', 0, tonumber(ARGV[2]))
  if #keys == 0 then return {{}, {}} end
  return {keys, redis.call('HMGET', KEYS[1], unpack(keys))}
`)

/**
 * A state store on Redis, shared by every process of a cluster: each group is a hash of JSON values,
 * and a set names the groups that hold keys.
 */
export function createRedisStateStore(options: RedisStateOptions): StateStore {
  const { client, url, prefix } = options
  const groupsKey = `${prefix}:state-groups`
  const groupKey = (group: string): string => `${prefix}:state:${group}`
  const indexKey = (group: string): string => `${prefix}:state-keys:${group}`
  let closed = false

  const call = <T>(what: string, run: () => Promise<T>): Promise<T> => {
    if (closed) {
      return Promise.reject(new MotiaError('STATE_CLOSED', 'The Redis state store is closed. Create a new store to keep using state.'))
    }
    return whileReachable(url, what, run)
  }
  const parse = <T>(json: string | null): T | null => (json === null ? null : (JSON.parse(json) as T))
  const sortedEntries = async (group: string): Promise<Array<[string, string]>> => {
    const hash = await call(`group "${group}" was not read`, () => client.hgetall(groupKey(group)))
    return Object.entries(hash).sort(([a], [b]) => compareCodePoints(a, b))
  }

  return {
    async get<T>(group: string, key: string): Promise<T | null> {
      return parse<T>(await call(`"${key}" in group "${group}" was not read`, () => client.hget(groupKey(group), key)))
    },
    async set<T>(group: string, key: string, value: T): Promise<T> {
      const json = toStateJson(group, key, value)
      await call(`"${key}" in group "${group}" was not written`, () =>
        client.multi().hset(groupKey(group), key, json).zadd(indexKey(group), 0, key).sadd(groupsKey, group).exec(),
      )
      return value
    },
    async delete<T>(group: string, key: string): Promise<T | null> {
      const removed = await call(`"${key}" in group "${group}" was not deleted`, () =>
        DELETE_SCRIPT.run(client, [groupKey(group), groupsKey, indexKey(group)], [key, group]),
      )
      return parse<T>(typeof removed === 'string' ? removed : null)
    },
    async getGroup<T>(group: string): Promise<T[]> {
      return (await sortedEntries(group)).map(([, json]) => JSON.parse(json) as T)
    },
    async entries<T>(group: string): Promise<{ key: string; value: T }[]> {
      return (await sortedEntries(group)).map(([key, json]) => ({ key, value: JSON.parse(json) as T }))
    },
    async entriesPage<T>(group: string, query: { limit: number; cursor?: string }) {
      const start = query.cursor === undefined ? '-' : `(${query.cursor}`
      const [keys, values] = (await call(`group "${group}" was not read`, () =>
        PAGE_SCRIPT.run(client, [groupKey(group), indexKey(group)], [start, query.limit + 1]),
      )) as [string[], (string | null)[]]
      const { names, nextCursor } = toNextCursor(keys, query.limit)
      const items: { key: string; value: T }[] = []
      names.forEach((key, index) => {
        const json = values[index]
        if (typeof json === 'string') items.push({ key, value: JSON.parse(json) as T })
      })
      return { items, nextCursor }
    },
    async groupsPage(query) {
      const { names, nextCursor } = toPage(await call('the groups were not listed', () => client.smembers(groupsKey)), query)
      return { groups: names, nextCursor }
    },
    async groups(): Promise<string[]> {
      return (await call('the groups were not listed', () => client.smembers(groupsKey))).sort(compareCodePoints)
    },
    async clear(group: string): Promise<void> {
      await call(`group "${group}" was not cleared`, () =>
        client.multi().del(groupKey(group), indexKey(group)).srem(groupsKey, group).exec(),
      )
    },
    async close(): Promise<void> {
      closed = true
    },
  }
}
