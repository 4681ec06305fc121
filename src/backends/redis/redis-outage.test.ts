import { once } from 'node:events'
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { BackendUnavailableError } from '../../errors.ts'
import type { Job } from '../../queue/queue.ts'
import { nextTurn, toNewJob } from '../../queue/queue-contract-helpers.ts'
import { connectClient, createCommandClient, createWorkerClient } from './redis-client.ts'
import { createRedisQueue } from './redis-queue.ts'
import { redisUrl, removeKeys, uniquePrefix } from './redis-test-support.ts'

/** A TCP hop in front of Redis that can lose Redis's answers (Redis still runs the commands) and then drop every connection. */
interface Hop {
  url: string
  loseAnswers(): void
  /** Drops every connection and lets answers through again, as when the network comes back. */
  heal(): void
  close(): Promise<void>
}

async function startHop(target: URL): Promise<Hop> {
  const sockets = new Set<Socket>()
  let losing = false
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname)
    sockets.add(client).add(upstream)
    client.on('data', (chunk) => upstream.write(chunk))
    upstream.on('data', (chunk) => {
      if (!losing) client.write(chunk)
    })
    for (const socket of [client, upstream]) {
      socket.on('error', () => {})
      socket.on('close', () => {
        client.destroy()
        upstream.destroy()
        sockets.delete(socket)
      })
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return {
    url: `redis://127.0.0.1:${port}`,
    loseAnswers() {
      losing = true
    },
    heal() {
      for (const socket of sockets) socket.destroy()
      losing = false
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close')
    },
  }
}

describe.skipIf(!redisUrl)('redis queue across an outage', () => {
  const url = redisUrl ?? ''
  const cleanups: Array<() => Promise<void>> = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })

  it('says an emit whose answer was lost may not have been queued, and queues it once when sent again with its idempotency key', async () => {
    const hop = await startHop(new URL(url))
    const client = createCommandClient(hop.url)
    client.on('error', () => {})
    await connectClient(client, hop.url)
    const workerClient: Redis = createWorkerClient(url)
    const admin = createCommandClient(url)
    await connectClient(admin, url)
    const prefix = uniquePrefix('outage')
    const queue = createRedisQueue({ url: hop.url, client, workerClient, prefix })
    cleanups.push(async () => {
      await queue.close(0)
      await removeKeys(admin, prefix)
      await Promise.allSettled([admin.quit(), workerClient.quit()])
      client.disconnect()
      await hop.close()
    })
    await queue.enqueue([toNewJob({ step: 's', data: { n: 0 } })])

    hop.loseAnswers()
    const lost = queue.enqueue([toNewJob({ step: 's', idempotencyKey: 'order-1', data: { n: 1 } })])
    await expect(lost).rejects.toBeInstanceOf(BackendUnavailableError)
    await expect(lost).rejects.toThrow(/is unreachable \(Command timed out\), so the event may not have been queued \(an emit sent again with the same idempotencyKey is queued once\)/)
    hop.heal()

    let again: Job[] | undefined
    const deadline = Date.now() + 10_000
    while (!again && Date.now() < deadline) {
      again = await queue.enqueue([toNewJob({ step: 's', idempotencyKey: 'order-1', data: { n: 1 } })]).catch(() => undefined)
      if (!again) await nextTurn()
    }
    const { jobs } = await queue.list({ step: 's' })
    const keyed = jobs.filter((job) => (job.data as { n: number }).n === 1)
    // The lost answer's job was stored: the retry found it instead of adding a second one.
    expect(keyed).toHaveLength(1)
    expect(again?.[0]?.id).toBe(keyed[0]?.id)
  }, 20_000)
})
