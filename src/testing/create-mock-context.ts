import { randomUUID } from 'node:crypto'
import { type Mock, type MockInstance, vi } from 'vitest'
import { openMemoryBackend } from '../backends/open-backend.ts'
import type { StateStore } from '../state/state-store.ts'
import type { EmitEvent, Emitter, FlowContext, Logger, StateManager } from '../types.ts'

/** A spy that keeps the generic signature of the function it stands for. */
type Spy<TFunction extends (...args: never[]) => unknown> = TFunction & MockInstance<TFunction>

/** `ctx.state` whose methods are spies over a real in-memory store, so a get after a set finds the value. */
export type MockState = { [K in keyof StateManager]: Spy<StateManager[K]> } & {
  /** The store behind the spies: every entry of a group, the groups written. */
  store: StateStore
}

/** A handler context whose `emit`, `state` and `logger` are vitest spies. */
export interface MockContext<TEmit = EmitEvent> extends FlowContext<TEmit> {
  emit: Mock<Emitter<TEmit>>
  state: MockState
  logger: { [K in keyof Logger]: Mock<Logger[K]> }
}

export interface MockContextOptions {
  /** Default: a new UUID. */
  traceId?: string
}

/**
 * Creates a context to call a handler directly, without a runtime: `emit` records and resolves,
 * `state` keeps values in memory, `logger` records.
 * @example
 * const ctx = createMockContext()
 * await handler({ email: 'a@b.c' }, ctx)
 * expect(ctx.emit).toHaveBeenCalledWith({ topic: 'email.sent', data: { to: 'a@b.c' } })
 * expect(await ctx.state.get('emails', 'a@b.c')).not.toBeNull()
 */
export function createMockContext<TEmit = EmitEvent>(options: MockContextOptions = {}): MockContext<TEmit> {
  const store = openMemoryBackend().state
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
    streams: {},
  }
}

/** vi.fn over an implementation, typed with the implementation's own (generic) signature. */
function spyOn<TFunction extends (...args: never[]) => unknown>(implementation: TFunction): Spy<TFunction> {
  return vi.fn(implementation) as unknown as Spy<TFunction>
}
