import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../logger/create-logger.ts'
import { createLogTail } from './log-tail.ts'

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() })

describe('the log tail', () => {
  it('keeps its memory bound when messages are huge: each is cut to 4,000 characters', () => {
    const logger = createLogger({ level: 'debug', pretty: false, destination: discard() })
    const tail = createLogTail(logger, (error) => {
      throw error
    })
    const seen: string[] = []
    const stop = tail.onLine((line) => seen.push(line.msg))
    const huge = 'x'.repeat(900_000)
    for (let i = 0; i < 50; i++) logger.child({ step: huge, traceId: huge }).info(`${i} ${huge}`)
    const { logs } = tail.list({ limit: 1000 })
    expect(logs).toHaveLength(50)
    const retained = logs.reduce((sum, line) => sum + line.msg.length + (line.step?.length ?? 0) + (line.traceId?.length ?? 0), 0)
    expect(retained).toBeLessThan(50 * 5_100)
    expect(logs[49]?.msg.startsWith('49 ')).toBe(true)
    expect(Math.max(...seen.map((msg) => msg.length))).toBeLessThanOrEqual(4001)
    stop()
    tail.close()
  })
})
