import type { Redis } from 'ioredis'
import { MotiaError } from '../../errors.ts'
import { createFeed, toSafeSink } from '../../feed.ts'
import { compareCodePoints } from '../../state/compare-code-points.ts'
import type { StreamChange, StreamItem, StreamStore } from '../../streams/stream-store.ts'
import { toStreamJson } from '../../streams/to-stream-json.ts'
import { whileReachable } from './redis-client.ts'
import { createRedisScript } from './redis-script.ts'

/** The connections and key prefix of the Redis stream store; the connections stay open when it closes. */
export interface RedisStreamOptions {
  client: Redis
  /** A connection of its own, in subscriber mode: it receives every process's changes. */
  subscriber: Redis
  /** For messages: the URL the clients connect to. */
  url: string
  prefix: string
  onError?: (error: unknown) => void
}

// Stores the item and publishes create or update, as decided by HSET itself (1 = a new field), in one atomic step.
// A new item gets the next creation number in the group's order set, and its group joins the stream's group set.
const SET_SCRIPT = createRedisScript(`
  local created = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  if created == 1 then
    redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1])
    redis.call('SADD', KEYS[3], ARGV[3])
  end
  redis.call('PUBLISH', ARGV[4], (created == 1 and 'create' or 'update') .. ARGV[5] .. ARGV[2])
  return created
`)

// Removes the item and publishes delete only when there was one.
const DELETE_SCRIPT = createRedisScript(`
  local value = redis.call('HGET', KEYS[1], ARGV[1])
  if not value then return false end
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
  redis.call('PUBLISH', ARGV[3], 'delete' .. ARGV[4] .. value)
  return value
`)

/** The pub/sub message of a change: `type`, a line with `[stream, group, id?]`, then the JSON. */
function toMessageHeader(stream: string, group: string, id?: string): string {
  return `\n${JSON.stringify(id === undefined ? [stream, group] : [stream, group, id])}\n`
}

function toChange(message: string): StreamChange {
  const first = message.indexOf('\n')
  const second = message.indexOf('\n', first + 1)
  const [streamName, groupId, id] = JSON.parse(message.slice(first + 1, second)) as [string, string, string?]
  const type = message.slice(0, first) as StreamChange['type']
  return { streamName, groupId, ...(id === undefined ? {} : { id }), type, json: message.slice(second + 1) }
}

/**
 * Stream items on Redis, laid out as Motia lays them out under our prefix: a hash per group
 * (`<prefix>:stream:<name>:group:<groupId>`, the item's JSON under its id), plus a sorted set of
 * creation order per group and a set of the stream's groups. Every write and `publish` goes out on
 * `<prefix>:stream-events`, and every process (this one included) hears its changes from there, so a
 * client connected to any process sees writes made on any other.
 */
export async function createRedisStreamStore(options: RedisStreamOptions): Promise<StreamStore> {
  const { client, subscriber, url, prefix } = options
  const channel = `${prefix}:stream-events`
  const sequenceKey = `${prefix}:stream-seq`
  const keys = (stream: string, group: string) => {
    const base = `${prefix}:stream:${stream}`
    return { hash: `${base}:group:${group}`, order: `${base}:order:${group}`, groups: `${base}:groups` }
  }
  const onError = toSafeSink(options.onError)
  const feed = createFeed<StreamChange>(onError)
  let closed = false

  const listener = (from: string, message: string): void => {
    if (from !== channel) return
    try {
      feed.report(toChange(message))
    } catch (error) {
      onError(error)
    }
  }
  subscriber.on('message', listener)
  await subscriber.subscribe(channel)

  const call = <T>(what: string, run: () => Promise<T>): Promise<T> => {
    if (closed) {
      return Promise.reject(new MotiaError('STREAMS_CLOSED', 'The Redis stream store is closed. Create a new store to keep using streams.'))
    }
    return whileReachable(url, what, run)
  }
  const parse = (json: string): StreamItem => JSON.parse(json) as StreamItem

  return {
    async get(stream, group, id) {
      const json = await call(`item "${id}" of stream "${stream}" was not read`, () => client.hget(keys(stream, group).hash, id))
      return json === null ? null : parse(json)
    },
    async set(stream, group, item) {
      const json = toStreamJson(stream, group, item.id, item)
      const { hash, order, groups } = keys(stream, group)
      const created = await call(`item "${item.id}" of stream "${stream}" was not written`, () =>
        SET_SCRIPT.run(client, [hash, order, groups, sequenceKey], [item.id, json, group, channel, toMessageHeader(stream, group, item.id)]),
      )
      return { created: created === 1 }
    },
    async delete(stream, group, id) {
      const { hash, order, groups } = keys(stream, group)
      const removed = await call(`item "${id}" of stream "${stream}" was not deleted`, () =>
        DELETE_SCRIPT.run(client, [hash, order, groups], [id, group, channel, toMessageHeader(stream, group, id)]),
      )
      return typeof removed === 'string' ? parse(removed) : null
    },
    async getGroup(stream, group) {
      const { hash, order } = keys(stream, group)
      const [[, ids], [, values]] = (await call(`group "${group}" of stream "${stream}" was not read`, () =>
        client.multi().zrange(order, '0', '-1').hgetall(hash).exec(),
      )) as [[unknown, string[]], [unknown, Record<string, string>]]
      const ordered = ids.filter((id) => values[id] !== undefined)
      // Items written by another program (Motia itself) have no creation number: they come last, by id.
      const listed = new Set(ordered)
      const others = Object.keys(values).filter((id) => !listed.has(id)).sort(compareCodePoints)
      return [...ordered, ...others].map((id) => parse(values[id] as string))
    },
    async groups(stream) {
      const names = await call(`the groups of stream "${stream}" were not listed`, () => client.smembers(keys(stream, '').groups))
      return names.sort(compareCodePoints)
    },
    async publish(change) {
      const message = `${change.type}${toMessageHeader(change.streamName, change.groupId, change.id)}${change.json}`
      await call(`the event of stream "${change.streamName}" was not sent`, () => client.publish(channel, message))
    },
    onChange: (listener) => feed.listen(listener),
    async close() {
      if (closed) return
      closed = true
      subscriber.off('message', listener)
      await subscriber.unsubscribe(channel).catch(onError)
    },
  }
}
