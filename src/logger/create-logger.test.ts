import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createLogger } from './create-logger.ts'
import type { CreateLoggerOptions, LogEntry } from './create-logger.ts'

function collect(options: Omit<CreateLoggerOptions, 'destination'> = {}) {
  const chunks: string[] = []
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString())
      callback()
    },
  })
  const logger = createLogger({ pretty: false, level: 'info', ...options, destination })
  const text = (): string => chunks.join('')
  const lines = (): Record<string, unknown>[] =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  return { logger, lines, text }
}

describe('createLogger', () => {
  it('writes JSON lines with level, time and message', () => {
    const { logger, lines } = collect()
    logger.warn('disk almost full')
    const [line] = lines()
    expect(line).toMatchObject({ level: 'warn', msg: 'disk almost full' })
    expect(typeof line?.time).toBe('number')
  })

  it('binds traceId, step and flows on a child and adds meta fields to the line', () => {
    const { logger, lines } = collect()
    const child = logger.child({ traceId: 'trace-1', step: 'send-email', flows: ['onboarding'] })
    child.info('email sent', { to: 'ada@example.com', attempt: 2, nested: { ok: true } })
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'email sent',
        traceId: 'trace-1',
        step: 'send-email',
        flows: ['onboarding'],
        to: 'ada@example.com',
        attempt: 2,
        nested: { ok: true },
      }),
    ])
  })

  it('keeps children apart', () => {
    const { logger, lines } = collect()
    logger.child({ traceId: 'a', step: 'one' }).info('first')
    logger.child({ traceId: 'b', step: 'two' }).info('second')
    logger.info('root')
    expect(lines().map((line) => [line.traceId, line.step, line.msg])).toEqual([
      ['a', 'one', 'first'],
      ['b', 'two', 'second'],
      [undefined, undefined, 'root'],
    ])
  })

  it('does not let meta overwrite the level, time, message or bound fields', () => {
    const { logger, lines } = collect()
    logger.child({ traceId: 'trace-1' }).error('saved', { level: 3, msg: 'other', traceId: 'trace-2' })
    expect(lines()[0]).toMatchObject({
      level: 'error',
      msg: 'saved',
      traceId: 'trace-1',
      'meta.level': 3,
      'meta.msg': 'other',
      'meta.traceId': 'trace-2',
    })
  })

  it('hides lines below the level', () => {
    const { logger, lines } = collect({ level: 'info' })
    logger.debug('hidden')
    logger.child({ step: 's' }).debug('hidden too')
    logger.info('shown')
    expect(lines().map((line) => line.msg)).toEqual(['shown'])
    expect(logger.isLevelEnabled('debug')).toBe(false)
    expect(logger.isLevelEnabled('info')).toBe(true)
  })

  it('shows debug lines at level debug and nothing at silent', () => {
    const debug = collect({ level: 'debug' })
    debug.logger.debug('visible')
    expect(debug.lines().map((line) => line.level)).toEqual(['debug'])

    const silent = collect({ level: 'silent' })
    silent.logger.error('invisible')
    expect(silent.lines()).toEqual([])
  })

  it("tells which levels are on as pino does, before any line is written", () => {
    const names = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent', 'verbose']
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']) {
      const { logger } = collect({ level })
      const reference = pino({ level }, new Writable({ write: (_chunk, _encoding, callback) => callback() }))
      expect(names.map((name) => [name, logger.isLevelEnabled(name)]), level).toEqual(names.map((name) => [name, reference.isLevelEnabled(name)]))
    }
  })

  it('rejects an unknown level with the list of known ones', () => {
    expect(() => collect({ level: 'verbose' })).toThrow(/"verbose".*debug, info/)
  })

  it('serializes an Error in meta with its message and stack', () => {
    const { logger, lines } = collect()
    const error = Object.assign(new Error('connection refused', { cause: new Error('ECONNREFUSED') }), { code: 'E_DB' })
    logger.child({ step: 'save' }).error('failed', { error, attempt: 1 })
    const logged = lines()[0]?.error as Record<string, unknown>
    expect(logged.message).toBe('connection refused: ECONNREFUSED')
    expect(logged.type).toBe('Error')
    expect(logged.code).toBe('E_DB')
    expect(String(logged.stack)).toContain('Error: connection refused')
    expect(String(logged.stack)).toContain('caused by: Error: ECONNREFUSED')
    expect(lines()[0]?.attempt).toBe(1)
  })

  it('serializes an Error passed as the whole meta', () => {
    const { logger, lines } = collect()
    logger.error('failed', new Error('boom') as unknown as Record<string, unknown>)
    expect(lines()[0]?.error).toMatchObject({ type: 'Error', message: 'boom' })
  })

  it('sends every written line to listeners, with bindings and meta', () => {
    const { logger } = collect()
    const entries: LogEntry[] = []
    logger.onLog((entry) => entries.push(entry))
    logger.child({ traceId: 't-1', step: 'charge', flows: ['checkout'], worker: 7 }).info('charged', { amount: 5 })
    logger.warn('root warning')
    expect(entries).toEqual([
      {
        level: 'info',
        time: expect.any(Number),
        msg: 'charged',
        traceId: 't-1',
        step: 'charge',
        flows: ['checkout'],
        meta: { worker: 7, amount: 5 },
      },
      { level: 'warn', time: expect.any(Number), msg: 'root warning', meta: {} },
    ])
  })

  it('gives listeners only lines at or above the level, and serialized errors', () => {
    const { logger } = collect({ level: 'warn' })
    const entries: LogEntry[] = []
    logger.onLog((entry) => entries.push(entry))
    logger.info('below')
    logger.child({ step: 's' }).debug('below')
    logger.error('failed', { error: new Error('boom') })
    expect(entries.map((entry) => entry.msg)).toEqual(['failed'])
    expect(entries[0]?.meta.error).toMatchObject({ message: 'boom', stack: expect.stringContaining('Error: boom') })
  })

  it('stops calling a listener once it is removed', () => {
    const { logger } = collect()
    const received: string[] = []
    const off = logger.onLog((entry) => received.push(entry.msg))
    logger.info('one')
    off()
    logger.info('two')
    expect(received).toEqual(['one'])
  })

  it('keeps logging when a listener throws', () => {
    const { logger, lines } = collect()
    const received: string[] = []
    logger.onLog(() => {
      throw new Error('listener broke')
    })
    logger.onLog((entry) => received.push(entry.msg))
    logger.info('still written')
    expect(received).toEqual(['still written'])
    expect(lines().map((line) => line.msg)).toEqual(['still written', expect.stringContaining('listener')])
  })

  it('writes readable single lines when pretty', () => {
    const { logger, text } = collect({ pretty: true })
    logger.child({ traceId: 't-1', step: 'send-email' }).info('email sent', { to: 'ada@example.com' })
    const output = text()
    expect(output.trim().split('\n')).toHaveLength(1)
    expect(output).toContain('INFO')
    expect(output).toContain('[send-email] email sent')
    expect(output).toContain('ada@example.com')
    expect(() => JSON.parse(output) as unknown).toThrow()
  })
})
