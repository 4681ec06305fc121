import { randomUUID } from 'node:crypto'
import { type Mock, type MockInstance, vi } from 'vitest'
import { openMemoryBackend } from '../backends/open-backend.ts'
import type { StateStore } from '../state/state-store.ts'
import { createMotiaStream } from '../streams/create-motia-stream.ts'
import type { StreamStore } from '../streams/stream-store.ts'
import type { FlowContextStateStreams, MotiaStream } from '../streams/stream-types.ts'
import type { EmitEvent, Emitter, FlowContext, Logger, StateManager } from '../types.ts'

/** A spy that keeps the generic signature of the function it stands for. */
type Spy<TFunction extends (...args: never[]) => unknown> = TFunction & MockInstance<TFunction>

/** `ctx.state` whose methods are spies over a real in-memory store, so a get after a set finds the value. */
export type MockState = { [K in keyof StateManager]: Spy<StateManager[K]> } & {
  /** The store behind the spies: every entry of a group, the groups written. */
  store: StateStore
}

/** `ctx.streams.<name>` whose methods are spies over a real in-memory stream store. */
export type MockStream = { [K in keyof MotiaStream]: Spy<MotiaStream[K]> }

/**
 * `ctx.streams` of a mock context: any name is a stream (made on first use), and `store` is the
 * in-memory store behind them all.
 */
export type MockStreams = FlowContextStateStreams & Record<string, MockStream> & { readonly store: StreamStore }

/** A handler context whose `emit`, `state`, `streams` and `logger` are vitest spies. */
export interface MockContext<TEmit = EmitEvent> extends Omit<FlowContext<TEmit>, 'streams'> {
  emit: Mock<Emitter<TEmit>>
  state: MockState
  streams: MockStreams
  logger: { [K in keyof Logger]: Mock<Logger[K]> }
}

export interface MockContextOptions {
  /** Default: a new UUID. */
  traceId?: string
}

/**
 * Creates a context to call a handler directly, without a runtime: `emit` records and resolves,
 * `state` and `streams` keep values in memory, `logger` records.
 * @example
 * const ctx = createMockContext()
 * await handler({ email: 'a@b.c' }, ctx)
 * expect(ctx.emit).toHaveBeenCalledWith({ topic: 'email.sent', data: { to: 'a@b.c' } })
 * expect(await ctx.state.get('emails', 'a@b.c')).not.toBeNull()
 * expect(ctx.streams.todo.set).toHaveBeenCalledWith('inbox', 'a', { title: 'A' })
 */
export function createMockContext<TEmit = EmitEvent>(options: MockContextOptions = {}): MockContext<TEmit> {
  const backend = openMemoryBackend()
  const store = backend.state
  const state: MockState = {
    store,
    get: spyOn<StateManager['get']>((group, key) => store.get(group, key)),
    set: spyOn<StateManager['set']>((group, key, value) => store.set(group, key, value)),
    delete: spyOn<StateManager['delete']>((group, key) => store.delete(group, key)),
    getGroup: spyOn<StateManager['getGroup']>((group) => store.getGroup(group)),
    clear: spyOn<StateManager['clear']>((group) => store.clear(group)),
  }
  return {
    traceId: options.traceId ?? randomUUID(),
    emit: vi.fn<Emitter<TEmit>>(async () => {}),
    state,
    logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() },
    streams: createMockStreams(backend.streams),
  }
}

/** Streams made on first use, with Motia's return values, over one in-memory store. */
function createMockStreams(store: StreamStore): MockStreams {
  const made = new Map<string, MockStream>()
  const make = (name: string): MockStream => {
    const definition = { name, file: name, relativeFile: name, config: { name }, jsonSchema: undefined, validate: undefined, custom: undefined }
    const stream = createMotiaStream(definition, store)
    return {
      get: spyOn<MotiaStream['get']>((groupId, id) => stream.get(groupId, id)),
      set: spyOn<MotiaStream['set']>((groupId, id, data) => stream.set(groupId, id, data)),
      delete: spyOn<MotiaStream['delete']>((groupId, id) => stream.delete(groupId, id)),
      getGroup: spyOn<MotiaStream['getGroup']>((groupId) => stream.getGroup(groupId)),
      send: spyOn<MotiaStream['send']>((channel, event) => stream.send(channel, event)),
    }
  }
  return new Proxy({} as MockStreams, {
    get(_target, name) {
      if (name === 'store') return store
      if (typeof name !== 'string' || name === 'then') return undefined
      let stream = made.get(name)
      if (!stream) {
        stream = make(name)
        made.set(name, stream)
      }
      return stream
    },
  })
}

/** vi.fn over an implementation, typed with the implementation's own (generic) signature. */
function spyOn<TFunction extends (...args: never[]) => unknown>(implementation: TFunction): Spy<TFunction> {
  return vi.fn(implementation) as unknown as Spy<TFunction>
}
