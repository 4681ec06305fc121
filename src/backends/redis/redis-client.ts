import { Redis } from 'ioredis'
import { BackendUnavailableError, MotiaError, toErrorMessage } from '../../errors.ts'
import { toSafeUrl } from './safe-url.ts'

/** How long a command may wait for an answer before the caller gets a BackendUnavailableError. */
const COMMAND_TIMEOUT_MS = 5_000
/** How long startup waits for Redis before it fails with a message naming the URL. */
const CONNECT_TIMEOUT_MS = 10_000

/**
 * A connection for commands that must fail fast while Redis is away (emits, state, admin queries):
 * no offline queue and a command timeout, so a request answers 503 instead of hanging. It
 * reconnects by itself.
 */
export function createCommandClient(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(50 * times, 1_000),
    lazyConnect: true,
  })
}

/** A connection for BullMQ workers, which block on Redis and must wait through outages instead of failing. */
export function createWorkerClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(50 * times, 1_000) })
}

/** Connects a lazy client, or fails with one line naming the URL and the fix. */
export async function connectClient(client: Redis, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS)
      }),
    ])
  } catch (error) {
    client.disconnect()
    throw new MotiaError(
      'REDIS_UNREACHABLE',
      `Cannot reach Redis at ${toSafeUrl(url)} (${toErrorMessage(error)}). Start Redis, fix MOTIA_REDIS_URL, or unset it to use the embedded store.`,
      { cause: error },
    )
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Runs a Redis call; a connection failure becomes a BackendUnavailableError saying what was not done.
 * With `client`, the call is not even tried while that connection is down: BullMQ waits for a lost
 * connection to come back instead of failing, which would leave the request hanging.
 */
export function whileReachable<T>(url: string, what: string, call: () => Promise<T>, client?: Redis): Promise<T> {
  if (client && client.status !== 'ready') return Promise.reject(unreachableError(url, client.status, what))
  // Not an async function: every emit passes here, and a fan-out keeps thousands pending at once.
  // The callbacks are written in place: a function stored in a variable gets its name set on every call.
  try {
    return call().catch((error: unknown) => {
      throw toUnavailable(url, what, error)
    })
  } catch (error) {
    return Promise.reject(toUnavailable(url, what, error))
  }
}

/** The error of a call not tried because its connection is down (`status`), saying what was not done. */
export function unreachableError(url: string, status: string, what: string): BackendUnavailableError {
  return new BackendUnavailableError(`Redis at ${toSafeUrl(url)} is unreachable (connection ${status}), so ${what}. Try again once it is back.`)
}

/** A connection failure as a BackendUnavailableError saying what was not done; any other error as it is. */
export function toUnavailable(url: string, what: string, error: unknown): unknown {
  if (error instanceof MotiaError || !isConnectionError(error)) return error
  return new BackendUnavailableError(`Redis at ${toSafeUrl(url)} is unreachable (${toErrorMessage(error)}), so ${what}. Try again once it is back.`, {
    cause: error,
  })
}

const CONNECTION_MESSAGES = [
  "Stream isn't writeable",
  'Connection is closed',
  'Command timed out',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'MaxRetriesPerRequestError',
  'Reached the max retries per request limit',
]

function isConnectionError(error: unknown): boolean {
  const text = `${(error as { name?: unknown } | null)?.name ?? ''} ${toErrorMessage(error)}`
  return CONNECTION_MESSAGES.some((message) => text.includes(message))
}
