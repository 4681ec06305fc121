import { describe, expect, it } from 'vitest'
import { eventually } from '../../queue/queue-contract-helpers.ts'
import { createRedisRateStarts } from './redis-rate-starts.ts'
import { useRedisClients } from './redis-test-clients.ts'
import { redisUrl, uniquePrefix } from './redis-test-support.ts'

describe.skipIf(!redisUrl)('redis rate-limit starts', () => {
  const prefix = uniquePrefix('rate-starts')
  const redis = useRedisClients(redisUrl ?? '')
  redis.removeAfter(prefix)

  it('takes the starts asked for together in order, as calls one after another would', async () => {
    const starts = createRedisRateStarts(redis.client, `${prefix}:order`)
    const limit = { limit: 3, periodMs: 60_000, keyOf: null }
    const waits = await Promise.all(Array.from({ length: 5 }, () => starts.take('step', limit, {})))
    expect(waits.slice(0, 3)).toEqual([0, 0, 0])
    const [fourth = 0, fifth = 0] = waits.slice(3)
    // Over the limit: the first waits for the oldest start to leave the period, the next one spacing (period / limit) later.
    expect(fourth).toBeGreaterThan(55_000)
    expect(fifth - fourth).toBeGreaterThanOrEqual(19_000)
    expect(await starts.startsOf('step', '', 3)).toHaveLength(3)
  })

  it('records exactly the limit out of a burst larger than one script call takes', async () => {
    const starts = createRedisRateStarts(redis.client, `${prefix}:burst`)
    const limit = { limit: 700, periodMs: 60_000, keyOf: null }
    const waits = await Promise.all(Array.from({ length: 1_200 }, () => starts.take('step', limit, {})))
    expect(waits.filter((wait) => wait === 0)).toHaveLength(700)
    expect(waits.slice(0, 700).every((wait) => wait === 0)).toBe(true)
  })

  it('counts each key of a keyed limit apart when they are asked for together', async () => {
    const starts = createRedisRateStarts(redis.client, `${prefix}:keys`)
    const limit = { limit: 1, periodMs: 60_000, keyOf: (data: unknown) => String((data as { tenant: string }).tenant) }
    const waits = await Promise.all(['a', 'b', 'a'].map((tenant) => starts.take('step', limit, { tenant })))
    expect(waits.map((wait) => wait > 0)).toEqual([false, false, true])
  })

  it('leaves in the log only the starts used, whether or not it took some ahead', async () => {
    const starts = createRedisRateStarts(redis.client, `${prefix}:ahead`)
    // Far from its limit: starts are taken ahead, and given back once their lead time passes unused.
    expect(await starts.take('roomy', { limit: 1_000, periodMs: 60_000, keyOf: null }, {})).toBe(0)
    await eventually(async () => (await starts.startsOf('roomy', '', 1_000)).length === 1)
    // Near its limit (more than half of it used): none are taken ahead.
    expect(await starts.take('tight', { limit: 10, periodMs: 60_000, keyOf: null }, {})).toBe(0)
    expect(await starts.startsOf('tight', '', 10)).toHaveLength(1)
  })
})
