import { describe, expect, it } from 'vitest'
import { AttemptAbort } from './attempt-abort.ts'

describe('AttemptAbort', () => {
  it('aborts a signal taken before the abort, with the reason', () => {
    const abort = new AttemptAbort()
    const { signal } = abort
    const heard: unknown[] = []
    signal.addEventListener('abort', () => heard.push(signal.reason))
    const reason = new Error('timed out')
    abort.abort(reason)
    expect(abort.aborted).toBe(true)
    expect(heard).toEqual([reason])
  })

  it('hands out an aborted signal when asked after the abort, and keeps the first reason', () => {
    const abort = new AttemptAbort()
    expect(abort.aborted).toBe(false)
    const first = new Error('timed out')
    abort.abort(first)
    abort.abort(new Error('closed'))
    expect(abort.signal.aborted).toBe(true)
    expect(abort.signal.reason).toBe(first)
  })
})
