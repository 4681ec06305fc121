import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { toConsumerOptions } from '../runtime/consumer-options.ts'
import { createModuleImporter } from './import-module.ts'
import { loadStep } from './load-step.ts'

const dir = mkdtempSync(join(tmpdir(), 'flow-config-'))
const importer = createModuleImporter(dir)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let count = 0
/** Loads an event step whose queue config is `queue` (source text) with an input of tenantId and body. */
const loadWithQueue = (queue: string) => {
  count += 1
  const file = join(dir, `limited-${count}.step.mjs`)
  writeFileSync(
    file,
    `export const config = { type: 'event', name: 'Limited', subscribes: ['call'],
       input: { type: 'object', properties: { tenantId: { type: 'string' }, body: { type: 'object' } } },
       infrastructure: { queue: ${queue} } }
     export const handler = async () => {}`,
  )
  return loadStep(file, dir, importer)
}

describe('rate limit config', () => {
  it('rejects limit 0, naming the file, the field and what it must be', async () => {
    await expect(loadWithQueue('{ rateLimit: { limit: 0, periodMs: 60000 } }')).rejects.toThrow(
      /^Invalid step config in limited-\d+\.step\.mjs:\d+: config\.infrastructure\.queue\.rateLimit\.limit limit must be at least 1/,
    )
  })

  it('rejects a negative period', async () => {
    await expect(loadWithQueue('{ rateLimit: { limit: 5, periodMs: -1 } }')).rejects.toThrow(
      /config\.infrastructure\.queue\.rateLimit\.periodMs periodMs is the window in milliseconds and must be above 0/,
    )
  })

  it('rejects a key naming no input field and lists the fields', async () => {
    await expect(loadWithQueue(`{ rateLimit: { limit: 5, periodMs: 1000, key: 'tenant' } }`)).rejects.toThrow(
      /^Invalid step config in limited-\d+\.step\.mjs:\d+: config\.infrastructure\.queue\.rateLimit\.key names "tenant", which is not a field of the step's input \(fields: "tenantId", "body"\)\. Name an input field, or remove key to share one limit\.$/,
    )
  })

  it('rejects a misspelt rate limit field', async () => {
    await expect(loadWithQueue('{ rateLimit: { limit: 5, period: 1000 } }')).rejects.toThrow(/rateLimit has unknown field "period"/)
  })

  it('gives the queue a limit keyed by an input field, a nested field or a function', async () => {
    const byField = toConsumerOptions(await loadWithQueue(`{ rateLimit: { limit: 100, periodMs: 60000, key: 'tenantId' } }`))
    expect(byField.rateLimit).toMatchObject({ limit: 100, periodMs: 60_000 })
    expect(byField.rateLimit?.keyOf?.({ tenantId: 'acme' })).toBe('acme')
    const nested = toConsumerOptions(await loadWithQueue(`{ rateLimit: { limit: 1, periodMs: 10, key: 'body.region' } }`))
    expect(nested.rateLimit?.keyOf?.({ body: { region: 'eu' } })).toBe('eu')
    expect(nested.rateLimit?.keyOf?.({})).toBe('')
    const byFunction = toConsumerOptions(await loadWithQueue(`{ rateLimit: { limit: 1, periodMs: 10, key: (input) => input.tenantId + ':x' } }`))
    expect(byFunction.rateLimit?.keyOf?.({ tenantId: 'acme' })).toBe('acme:x')
    const shared = toConsumerOptions(await loadWithQueue(`{ rateLimit: { limit: 1, periodMs: 10 } }`))
    expect(shared.rateLimit?.keyOf).toBeNull()
    expect(toConsumerOptions(await loadWithQueue('{}')).rateLimit).toBeUndefined()
  })
})

describe('concurrency per key config', () => {
  it('rejects a concurrencyKey naming no input field', async () => {
    await expect(loadWithQueue(`{ concurrencyKey: 'tenant' }`)).rejects.toThrow(
      /config\.infrastructure\.queue\.concurrencyKey names "tenant", which is not a field of the step's input \(fields: "tenantId", "body"\)\. Name an input field, or remove concurrencyKey\.$/,
    )
  })

  it('rejects concurrencyPerKey 0, and concurrencyPerKey without a key', async () => {
    await expect(loadWithQueue(`{ concurrencyKey: 'tenantId', concurrencyPerKey: 0 }`)).rejects.toThrow(/concurrencyPerKey must be at least 1/)
    await expect(loadWithQueue('{ concurrencyPerKey: 2 }')).rejects.toThrow(
      /config\.infrastructure\.queue\.concurrencyPerKey is set without concurrencyKey\. Add concurrencyKey/,
    )
  })

  it('gives the queue a limit per key, 1 by default', async () => {
    const one = toConsumerOptions(await loadWithQueue(`{ concurrencyKey: 'tenantId' }`))
    expect(one.keyConcurrency?.limit).toBe(1)
    expect(one.keyConcurrency?.keyOf({ tenantId: 'acme' })).toBe('acme')
    const two = toConsumerOptions(await loadWithQueue(`{ concurrencyKey: (input) => input.tenantId, concurrencyPerKey: 2 }`))
    expect(two.keyConcurrency?.limit).toBe(2)
    expect(toConsumerOptions(await loadWithQueue('{}')).keyConcurrency).toBeUndefined()
  })
})

describe('debounce config', () => {
  it('rejects a negative period and a key naming no input field', async () => {
    await expect(loadWithQueue('{ debounce: { periodMs: -5 } }')).rejects.toThrow(
      /config\.infrastructure\.queue\.debounce\.periodMs periodMs is the quiet time in milliseconds and must be above 0/,
    )
    await expect(loadWithQueue(`{ debounce: { periodMs: 500, key: 'tenant' } }`)).rejects.toThrow(
      /config\.infrastructure\.queue\.debounce\.key names "tenant", which is not a field of the step's input \(fields: "tenantId", "body"\)\. Name an input field, or remove key to debounce all emits together\.$/,
    )
  })

  it('gives the queue a debounce per key, or one for all emits', async () => {
    const keyed = toConsumerOptions(await loadWithQueue(`{ debounce: { periodMs: 500, maxWaitMs: 2000, key: 'tenantId' } }`))
    expect(keyed.debounce).toMatchObject({ periodMs: 500, maxWaitMs: 2000 })
    expect(keyed.debounce?.keyOf({ tenantId: 'acme' })).toBe('acme')
    const all = toConsumerOptions(await loadWithQueue('{ debounce: { periodMs: 500 } }'))
    expect(all.debounce?.maxWaitMs).toBeNull()
    expect(all.debounce?.keyOf({ tenantId: 'acme' })).toBe('')
  })
})

describe('throttle config', () => {
  it('rejects limit 0 and a key naming no input field, and keys the throttle by an input field', async () => {
    await expect(loadWithQueue('{ throttle: { limit: 0, periodMs: 1000 } }')).rejects.toThrow(
      /config\.infrastructure\.queue\.throttle\.limit limit must be at least 1: the jobs accepted per period/,
    )
    await expect(loadWithQueue(`{ throttle: { limit: 1, periodMs: 1000, key: 'tenant' } }`)).rejects.toThrow(
      /config\.infrastructure\.queue\.throttle\.key names "tenant".*Name an input field, or remove key to share one throttle\.$/,
    )
    const options = toConsumerOptions(await loadWithQueue(`{ throttle: { limit: 1, periodMs: 1000, key: 'tenantId' } }`))
    expect(options.throttle?.keyOf?.({ tenantId: 'acme' })).toBe('acme')
  })
})

describe('batch config', () => {
  it('rejects a maxSize out of bounds, a timeout that is not positive, and a key naming no input field', async () => {
    await expect(loadWithQueue('{ batch: { maxSize: 0, timeoutMs: 1000 } }')).rejects.toThrow(
      /^Invalid step config in limited-\d+\.step\.mjs:\d+: config\.infrastructure\.queue\.batch\.maxSize maxSize must be at least 1/,
    )
    await expect(loadWithQueue('{ batch: { maxSize: 2.5, timeoutMs: 1000 } }')).rejects.toThrow(/batch\.maxSize .*maxSize is a whole number of inputs per handler call/)
    await expect(loadWithQueue('{ batch: { maxSize: 10001, timeoutMs: 1000 } }')).rejects.toThrow(/batch\.maxSize maxSize must be at most 10000/)
    await expect(loadWithQueue('{ batch: { maxSize: 10, timeoutMs: 0 } }')).rejects.toThrow(/batch\.timeoutMs timeoutMs is how long a batch waits to fill/)
    await expect(loadWithQueue(`{ batch: { maxSize: 10, timeoutMs: 1000, key: 'tenant' } }`)).rejects.toThrow(
      /config\.infrastructure\.queue\.batch\.key names "tenant", which is not a field of the step's input \(fields: "tenantId", "body"\)\. Name an input field, or remove key to batch all inputs together\.$/,
    )
  })

  it('rejects a batch on a fifo queue or beside flow control that counts single jobs, naming the fix', async () => {
    await expect(loadWithQueue(`{ type: 'fifo', batch: { maxSize: 10, timeoutMs: 1000 } }`)).rejects.toThrow(
      /^Invalid step config in limited-\d+\.step\.mjs:\d+: config\.infrastructure\.queue\.batch cannot run on a fifo queue .*Remove batch, or set type to standard\.$/,
    )
    await expect(loadWithQueue('{ batch: { maxSize: 10, timeoutMs: 1000 }, debounce: { periodMs: 500 } }')).rejects.toThrow(
      /config\.infrastructure\.queue\.batch cannot be combined with debounce .*Remove one of them\.$/,
    )
    await expect(loadWithQueue('{ batch: { maxSize: 10, timeoutMs: 1000 }, rateLimit: { limit: 1, periodMs: 500 } }')).rejects.toThrow(
      /batch cannot be combined with rateLimit/,
    )
    await expect(loadWithQueue(`{ batch: { maxSize: 10, timeoutMs: 1000 }, concurrencyKey: 'tenantId' }`)).rejects.toThrow(
      /batch cannot be combined with concurrencyKey/,
    )
  })

  it('gives the queue a batch per key, or one for all inputs', async () => {
    const keyed = toConsumerOptions(await loadWithQueue(`{ batch: { maxSize: 100, timeoutMs: 2000, key: 'tenantId' } }`))
    expect(keyed.batch).toMatchObject({ maxSize: 100, timeoutMs: 2000 })
    expect(keyed.batch?.keyOf({ tenantId: 'acme' })).toBe('acme')
    const all = toConsumerOptions(await loadWithQueue(`{ batch: { maxSize: 100, timeoutMs: 2000 }, throttle: { limit: 5, periodMs: 1000 } }`))
    expect(all.batch?.keyOf({ tenantId: 'acme' })).toBe('')
  })
})
