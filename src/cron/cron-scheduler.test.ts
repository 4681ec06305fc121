import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { makeStep } from '../graph/make-step.fixture.ts'
import type { Logger } from '../types.ts'
import { createCronScheduler } from './cron-scheduler.ts'

const errors: string[] = []
const debugs: string[] = []
const logger: Logger = { info() {}, warn() {}, debug: (message) => void debugs.push(message), error: (message) => void errors.push(message) }

function cronStep(name: string, cron: string, overlap?: 'skip' | 'allow') {
  const step = makeStep({ name, type: 'cron', cron })
  if (overlap && step.config.type === 'cron') step.config = { ...step.config, infrastructure: { cron: { overlap } } }
  return step
}

/** A tick that runs until the test lets it finish. */
function slowTicks() {
  const finishers: (() => void)[] = []
  return {
    started: () => finishers.length,
    runTick: () => new Promise<void>((resolve) => void finishers.push(resolve)),
    finishAll: () => {
      for (const finish of finishers) finish()
    },
  }
}

describe('cron scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
    errors.length = 0
    debugs.length = 0
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
    const scheduler = createCronScheduler({ logger, runTick: async () => void (ticks += 1), lock: { acquire: async () => false, begin: async () => async () => {} } })
    scheduler.mount(cronStep('Locked', '* * * * * *'))
    await vi.advanceTimersByTimeAsync(2_000)
    expect(ticks).toBe(0)
    expect(await scheduler.trigger('Locked')).toBe(true)
    expect(ticks).toBe(1)
    expect(await scheduler.trigger('Missing')).toBe(false)
    await scheduler.close()
  })

  it('skips a tick, with a debug line, while the previous tick of the step still runs', async () => {
    const ticks = slowTicks()
    const scheduler = createCronScheduler({ logger, runTick: ticks.runTick })
    scheduler.mount(cronStep('Slow', '* * * * * *'))
    await vi.advanceTimersByTimeAsync(3_000)
    expect(ticks.started()).toBe(1)
    expect(debugs).toHaveLength(2)
    expect(debugs[0]).toMatch(/^Cron step "Slow" skipped its tick of 2026-01-01T00:00:02\.000Z: the previous tick is still running/)
    ticks.finishAll()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(ticks.started()).toBe(2)
    ticks.finishAll()
    await scheduler.close()
  })

  it("lets ticks overlap with infrastructure.cron.overlap: 'allow'", async () => {
    const ticks = slowTicks()
    const scheduler = createCronScheduler({ logger, runTick: ticks.runTick })
    scheduler.mount(cronStep('Overlapping', '* * * * * *', 'allow'))
    await vi.advanceTimersByTimeAsync(3_000)
    expect(ticks.started()).toBe(3)
    expect(debugs).toEqual([])
    ticks.finishAll()
    await scheduler.close()
  })
})
