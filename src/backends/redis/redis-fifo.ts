/**
 * FIFO per message group on BullMQ, which has no groups of its own. Each group of a fifo step is a
 * sorted set of job ids by creation order; only its first job (the head) is runnable in BullMQ. The
 * others are added parked: delayed by a year, so BullMQ keeps them but never runs them. When the
 * head finishes (completed, dead or cancelled) it leaves the set and the next job is unparked:
 * promoted, or given the rest of its own delay. A failing head retries with backoff while the others
 * stay parked, so order holds across retries. A sweep repairs a group whose head's process died
 * between finishing the head and unparking the next.
 */
import type { Job as BullJob, Queue as BullQueue } from 'bullmq'
import type { Redis } from 'ioredis'
import { fieldsOf, type JobRecord } from './redis-job-record.ts'
import { createRedisScript } from './redis-script.ts'

/** How far off a parked job is delayed; BullMQ's delayed scores hold timestamps up to 2039. */
export const PARK_MS = 365 * 24 * 60 * 60 * 1000

const JOIN_SCRIPT = createRedisScript(`
  redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[3])
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)
  if head[1] == ARGV[2] then return 1 end
  return 0
`)

const LEAVE_SCRIPT = createRedisScript(`
  redis.call('ZREM', KEYS[1], ARGV[1])
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)
  if not head[1] then
    redis.call('SREM', KEYS[2], ARGV[2])
    return false
  end
  return head[1]
`)

/** The group bookkeeping of one Redis queue. */
export interface FifoGroups {
  /** Adds a job to its group; true when it is the head and may run now. */
  join(step: string, group: string, id: string, seq: number): Promise<boolean>
  /** The job left its group (finished or cancelled): unparks the new head, if any. */
  leave(step: string, group: string, id: string, queue: BullQueue<JobRecord>): Promise<void>
  /** Unparks the job if it is now the head of its group (after it was added parked). */
  unparkIfHead(step: string, group: string, id: string, queue: BullQueue<JobRecord>): Promise<void>
  /** Repairs the groups of a step: a finished or missing head leaves, a parked head is unparked. */
  sweep(step: string, queue: BullQueue<JobRecord>): Promise<void>
}

/** Creates the group bookkeeping under `<prefix>:fifo:<step>:<group>` and `<prefix>:fifo-groups:<step>`. */
export function createFifoGroups(client: Redis, prefix: string, now: () => number): FifoGroups {
  const groupKey = (step: string, group: string): string => `${prefix}:fifo:${step}:${group}`
  const groupsKey = (step: string): string => `${prefix}:fifo-groups:${step}`

  const unpark = async (queue: BullQueue<JobRecord>, id: string): Promise<void> => {
    const job = (await queue.getJob(id)) as BullJob<JobRecord> | undefined
    if (!job?.data.parked || (await job.getState()) !== 'delayed') return
    const { parked: _, ...unparked } = job.data
    await job.updateData(unparked)
    const wait = fieldsOf(unparked).runAt - now()
    if (wait > 0) await job.changeDelay(wait)
    else await job.promote()
  }

  const leave = async (step: string, group: string, id: string, queue: BullQueue<JobRecord>): Promise<void> => {
    const head = await LEAVE_SCRIPT.run(client, [groupKey(step, group), groupsKey(step)], [id, group])
    if (typeof head === 'string') await unpark(queue, head)
  }

  return {
    async join(step, group, id, seq) {
      return (await JOIN_SCRIPT.run(client, [groupKey(step, group), groupsKey(step)], [seq, id, group])) === 1
    },

    leave,

    async unparkIfHead(step, group, id, queue) {
      const [head] = await client.zrange(groupKey(step, group), '0', '0')
      if (head === id) await unpark(queue, id)
    },

    async sweep(step, queue) {
      for (const group of await client.smembers(groupsKey(step))) {
        const [head] = await client.zrange(groupKey(step, group), '0', '0')
        if (head === undefined) continue
        const job = (await queue.getJob(head)) as BullJob<JobRecord> | undefined
        const state = job ? await job.getState() : 'missing'
        if (state === 'missing' || state === 'completed' || state === 'failed' || state === 'unknown') {
          await leave(step, group, head, queue)
        } else {
          await unpark(queue, head)
        }
      }
    },
  }
}
