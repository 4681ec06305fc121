import { describe, expect, it } from 'vitest'
import { handler as processFile } from '../../steps/files/process-file.step.ts'
import { handler as reserveStock } from '../../test/fixtures/runtime/steps/reserve-stock.step.ts'
import { createMockContext } from './create-mock-context.ts'

describe('createMockContext', () => {
  it('records emits and state writes of a handler called directly', async () => {
    const ctx = createMockContext({ traceId: 't-1' })
    await reserveStock({ orderId: 'o-1', quantity: 1 }, ctx)
    expect(ctx.emit).toHaveBeenCalledExactlyOnceWith({ topic: 'stock.reserved', data: { orderId: 'o-1' } })
    expect(ctx.state.set).toHaveBeenCalledWith('traces', 'o-1:reserve', 't-1')
    expect(await ctx.state.get('traces', 'o-1:reserve')).toBe('t-1')
  })

  it('keeps state between calls, so a handler reading what the test stored works', async () => {
    const ctx = createMockContext()
    await ctx.state.set('jobs', 'j1', { jobId: 'j1', filename: 'a.pdf', status: 'queued', progress: 0, createdAt: 0 })
    await processFile({ jobId: 'j1', filename: 'a.pdf', sizeBytes: 8192 }, ctx)
    expect(await ctx.state.get('jobs', 'j1')).toMatchObject({ status: 'processing', progress: 100, attempts: 1 })
    expect(ctx.emit).toHaveBeenCalledWith({ topic: 'file.processed', data: { jobId: 'j1', pages: 2 } })
    expect(ctx.logger.info).toHaveBeenCalledWith('File processed', expect.objectContaining({ jobId: 'j1', pages: 2 }))
    expect(await ctx.state.store.groups()).toEqual(['jobs'])
  })

  it('lets a test make emit fail, to check how a handler copes', async () => {
    const ctx = createMockContext()
    ctx.emit.mockRejectedValueOnce(new Error('queue down'))
    await ctx.state.set('jobs', 'j2', { jobId: 'j2', filename: 'b.pdf', status: 'queued', progress: 0, createdAt: 0 })
    await expect(processFile({ jobId: 'j2', filename: 'b.pdf', sizeBytes: 1 }, ctx)).rejects.toThrow('queue down')
  })
})
