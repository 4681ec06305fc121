import { MotiaError } from '../errors.ts'
import type { MotiaStream } from '../streams/stream-types.ts'
import type { EmitEvent, FlowContext } from '../types.ts'

type Method = (ctx: FlowContext, args: unknown[]) => Promise<unknown>

function strings(method: string, args: unknown[], names: string[]): string[] {
  const values = args.slice(0, names.length)
  if (values.length !== names.length || values.some((value) => typeof value !== 'string')) {
    throw new MotiaError(
      'INVALID_ARGUMENT',
      `ctx.${method} takes ${names.join(' and ')} as strings. Pass strings, for example ctx.${method}(${names.map((name) => `"${name}"`).join(', ')}).`,
    )
  }
  return values as string[]
}

function key(method: string, args: unknown[]): [string, string] {
  const [group, name] = strings(method, args, ['group', 'key'])
  return [group as string, name as string]
}

/** The context calls a Python or Ruby handler can make, each run through the real context of its invocation. */
const methods: Record<string, Method> = {
  emit: async (ctx, [event]) => {
    await ctx.emit(event as EmitEvent)
    return null
  },
  'state.get': (ctx, args) => ctx.state.get(...key('state.get', args)),
  'state.set': (ctx, args) => ctx.state.set(...key('state.set', args), args[2]),
  'state.delete': (ctx, args) => ctx.state.delete(...key('state.delete', args)),
  'state.getGroup': (ctx, args) => ctx.state.getGroup(strings('state.get_group', args, ['group'])[0] as string),
  streams: (ctx, [name, operation, ...args]) => {
    const stream = (ctx.streams as unknown as Record<string, MotiaStream | undefined>)[String(name)]
    if (!stream) {
      throw new MotiaError('STREAM_NOT_FOUND', `ctx.streams.${String(name)} does not exist. Add a stream file (*.stream.ts or *_stream.py) whose config.name is "${String(name)}".`)
    }
    switch (operation) {
      case 'get':
      case 'delete':
        return stream[operation](args[0] as string, args[1] as string)
      case 'set':
        return stream.set(args[0] as string, args[1] as string, args[2])
      case 'getGroup':
        return stream.getGroup(args[0] as string)
      case 'send':
        return stream.send(args[0] as never, args[1] as never).then(() => null)
      default:
        throw new MotiaError('UNKNOWN_CONTEXT_CALL', `ctx.streams.${String(name)} has no method "${String(operation)}". Use get, set, delete, get_group or send.`)
    }
  },
  'state.clear': async (ctx, args) => {
    await ctx.state.clear(strings('state.clear', args, ['group'])[0] as string)
    return null
  },
}

/** Runs one context call of a worker handler; rejects exactly as the TypeScript context would. */
export async function serveContextCall(ctx: FlowContext, method: string, args: unknown[]): Promise<unknown> {
  const run = methods[method]
  if (!run) throw new MotiaError('UNKNOWN_CONTEXT_CALL', `A step worker called an unknown context method "${method}". Use the context the runtime passed to the handler.`)
  return (await run(ctx, args)) ?? null
}
