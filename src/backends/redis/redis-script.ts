/**
 * A Lua script sent by its SHA1 (EVALSHA): Redis then neither receives the source nor hashes it
 * again on every call, which a script run once per job (a rate-limit start, a key slot) pays for.
 * A server that does not hold the script yet (first call, restart, SCRIPT FLUSH) answers NOSCRIPT,
 * and that one call is sent as EVAL, which also loads it.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

/** One script; keys and arguments as EVAL takes them. */
export interface RedisScript {
  run(client: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>
}

/** Prepares `lua` to be run by its SHA1. */
export function createRedisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex')
  return {
    run(client, keys, args) {
      return client.evalsha(sha, keys.length, ...keys, ...args).catch((error: unknown) => {
        if (!isNoScript(error)) throw error
        return client.eval(lua, keys.length, ...keys, ...args)
      })
    },
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}
