import { describe, expect, it } from 'vitest'
import { createRedisScript } from './redis-script.ts'
import { useRedisClients } from './redis-test-clients.ts'
import { redisUrl, uniquePrefix } from './redis-test-support.ts'

describe.skipIf(!redisUrl)('redis scripts', () => {
  const redis = useRedisClients(redisUrl ?? '')

  it('runs a script the server does not hold yet, and then holds it', async () => {
    // A script no other test sends, so the server cannot have it already.
    const marker = uniquePrefix('script')
    const script = createRedisScript(`return ARGV[1] .. '${marker}'`)
    expect(await script.run(redis.client, [], ['first:'])).toBe(`first:${marker}`)
    expect(await script.run(redis.client, [], ['second:'])).toBe(`second:${marker}`)
  })

  it('rejects with the error of a failing script', async () => {
    const script = createRedisScript(`return redis.call('INCR', KEYS[1], 'not an argument INCR takes')`)
    await expect(script.run(redis.client, [uniquePrefix('script-error')], [])).rejects.toThrow(/wrong number of arg/i)
  })
})
