import { MotiaError, ValidationError } from '../errors.ts'
import { formatIssues } from '../schema/validator.ts'
import type { StreamDefinition } from './load-stream.ts'
import type { StreamItem, StreamStore } from './stream-store.ts'
import type { MotiaStream, StateStreamEvent, StateStreamEventChannel, TaggedStreamItem } from './stream-types.ts'
import { toStreamJson } from './to-stream-json.ts'

function assertKey(stream: string, method: string, names: string[], values: unknown[]): void {
  if (values.every((value) => typeof value === 'string' && value !== '')) return
  const shown = names.map((name) => `"${name}"`).join(', ')
  throw new MotiaError(
    'INVALID_ARGUMENT',
    `ctx.streams.${stream}.${method} takes ${names.join(' and ')} as non-empty strings. Pass strings, for example ctx.streams.${stream}.${method}(${shown}${method === 'set' ? ', {...}' : ''}).`,
  )
}

/** The item a `set` stores: the data with the `id` argument, without a `__motia` tag a handler passed back in. */
function toItem(stream: string, id: string, data: unknown): StreamItem {
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new MotiaError(
      'STREAM_ITEM_INVALID',
      `ctx.streams.${stream}.set("…", "${id}", …) got ${Array.isArray(data) ? 'an array' : `a ${typeof data}`}; an item is a plain object. Wrap the value, for example { value }.`,
    )
  }
  const { __motia: _tag, ...fields } = data as Record<string, unknown>
  return { ...fields, id }
}

/**
 * `ctx.streams.<name>` over a store (or the stream's own storage): Motia's arguments and return
 * values, the `__motia` tag included, with `create`/`update`/`delete` decided by the write and
 * reported to subscribers through the store.
 */
export function createMotiaStream(definition: StreamDefinition, store: StreamStore): MotiaStream {
  const { name, validate, custom } = definition
  const tag = (groupId: string, item: StreamItem): TaggedStreamItem =>
    ({ ...item, __motia: { type: 'state-stream', streamName: name, groupId, id: item.id } }) as TaggedStreamItem
  const check = (item: StreamItem): void => {
    if (!validate) return
    const result = validate(item)
    if (result.ok) return
    throw new ValidationError(
      `Item "${item.id}" written to stream "${name}" (${definition.relativeFile}) does not match its schema: ${formatIssues(result.issues)}. Fix the data or the schema.`,
      result.issues,
    )
  }

  const write = custom
    ? async (groupId: string, item: StreamItem): Promise<StreamItem> => {
        // Custom storage cannot say whether the id was new: ask first (not atomic, as in Motia).
        const json = toStreamJson(name, groupId, item.id, item)
        const existed = (await custom.get(groupId, item.id)) !== null
        const stored = ((await custom.set(groupId, item.id, item)) as StreamItem | null) ?? item
        await store.publish({ streamName: name, groupId, id: item.id, type: existed ? 'update' : 'create', json: stored === item ? json : toStreamJson(name, groupId, item.id, stored) })
        return stored
      }
    : async (groupId: string, item: StreamItem): Promise<StreamItem> => {
        await store.set(name, groupId, item)
        return item
      }
  const remove = custom
    ? async (groupId: string, id: string): Promise<StreamItem | null> => {
        const removed = (await custom.delete(groupId, id)) as StreamItem | null
        if (removed) await store.publish({ streamName: name, groupId, id, type: 'delete', json: toStreamJson(name, groupId, id, removed) })
        return removed
      }
    : (groupId: string, id: string) => store.delete(name, groupId, id)
  const read = custom ? (groupId: string, id: string) => custom.get(groupId, id) as Promise<StreamItem | null> : (groupId: string, id: string) => store.get(name, groupId, id)
  const readGroup = custom ? (groupId: string) => custom.getGroup(groupId) as Promise<StreamItem[]> : (groupId: string) => store.getGroup(name, groupId)

  return {
    async get(groupId, id) {
      assertKey(name, 'get', ['groupId', 'id'], [groupId, id])
      const item = await read(groupId, id)
      return item ? tag(groupId, item) : null
    },
    async set(groupId, id, data) {
      assertKey(name, 'set', ['groupId', 'id'], [groupId, id])
      // Motia returns null and stores nothing for missing data; kept so its apps behave the same.
      if (data === null || data === undefined) return null as unknown as TaggedStreamItem
      const item = toItem(name, id, data)
      check(item)
      return tag(groupId, await write(groupId, item))
    },
    async delete(groupId, id) {
      assertKey(name, 'delete', ['groupId', 'id'], [groupId, id])
      const removed = await remove(groupId, id)
      return removed ? tag(groupId, removed) : null
    },
    async getGroup(groupId) {
      assertKey(name, 'getGroup', ['groupId'], [groupId])
      return (await readGroup(groupId)).map((item) => tag(groupId, item))
    },
    async send(channel: StateStreamEventChannel, event: StateStreamEvent) {
      const { groupId, id } = channel ?? ({} as StateStreamEventChannel)
      assertKey(name, 'send', id === undefined ? ['channel.groupId'] : ['channel.groupId', 'channel.id'], id === undefined ? [groupId] : [groupId, id])
      if (typeof event?.type !== 'string' || event.type === '') {
        throw new MotiaError('INVALID_ARGUMENT', `ctx.streams.${name}.send needs an event with a non-empty "type", for example send({ groupId }, { type: 'progress', data }).`)
      }
      let json: string
      try {
        json = toStreamJson(name, groupId, id ?? '', { type: event.type, data: event.data ?? null })
      } catch (error) {
        throw new MotiaError('STREAM_ITEM_NOT_JSON', `ctx.streams.${name}.send got event "${event.type}" whose data is not JSON. Send plain JSON data.`, { cause: error })
      }
      await store.publish({ streamName: name, groupId, ...(id === undefined ? {} : { id }), type: 'event', json })
    },
  }
}
