import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { makeStep } from '../graph/make-step.fixture.ts'
import type { Logger } from '../types.ts'
import { createCronScheduler } from './cron-scheduler.ts'

const errors: string[] = []
const logger: Logger = { info() {}, warn() {}, debug() {}, error: (message) => void errors.push(message) }

function cronStep(name: string, cron: string) {
  return makeStep({ name, type: 'cron', cron })
}

describe('cron scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
    errors.length = 0
  })
  afterEach(() => vi.useRealTimers())

  it('runs a step on its schedule and keeps going after a failing tick', async () => {
    let ticks = 0
    const scheduler = createCronScheduler({
      logger,
      runTick: async () => {
        ticks += 1
        if (ticks === 1) throw new Error('first tick breaks')
      },
    })
    scheduler.mount(cronStep('EveryMinute', '* * * * *'))
    await vi.advanceTimersByTimeAsync(60_000)
    expect(ticks).toBe(1)
    expect(errors[0]).toContain('Cron step "EveryMinute"')
    expect(errors[0]).toContain('first tick breaks')
    await vi.advanceTimersByTimeAsync(120_000)
    expect(ticks).toBe(3)
    await scheduler.close()
  })

  it('supports six-field expressions and stops a step when unmounted', async () => {
    let ticks = 0
    const scheduler = createCronScheduler({ logger, runTick: async () => void (ticks += 1) })
    const step = cronStep('EverySecond', '* * * * * *')
    scheduler.mount(step)
    await vi.advanceTimersByTimeAsync(3_000)
    expect(ticks).toBe(3)
    scheduler.unmount(step)
    await vi.advanceTimersByTimeAsync(3_000)
    expect(ticks).toBe(3)
    expect(scheduler.scheduled()).toEqual([])
    await scheduler.close()
  })

  it('asks the lock before each tick', async () => {
    let ticks = 0
    const scheduler = createCronScheduler({ logger, runTick: async () => void (ticks += 1), lock: { acquire: async () => false } })
    scheduler.mount(cronStep('Locked', '* * * * * *'))
    await vi.advanceTimersByTimeAsync(2_000)
    expect(ticks).toBe(0)
    expect(await scheduler.trigger('Locked')).toBe(true)
    expect(ticks).toBe(1)
    expect(await scheduler.trigger('Missing')).toBe(false)
    await scheduler.close()
  })
})
