import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readSteps } from '../src/codegen/read-steps.ts'
import { toTypesFile } from '../src/codegen/generate-types.ts'
import type { FlowContext } from '../src/index.ts'
import { fixture } from './helpers/start-fixture.ts'

const streams = fixture('streams')

/** Compiled by `tsc --noEmit` (npm test) against the fixture's generated types.d.ts; never run. */
export function typeChecked(ctx: FlowContext): void {
  void ctx.streams.todo.set('inbox', 'a', { title: 'a string title' })
  // @ts-expect-error the item type comes from the stream's schema: title is a string
  void ctx.streams.todo.set('inbox', 'a', { title: 1 })
  // @ts-expect-error only declared streams exist on ctx.streams
  void ctx.streams.nosuch
}

describe('generate types with streams', () => {
  it('declares each stream in FlowContextStateStreams with its item type, in both module modes (the committed fixture file is the output)', async () => {
    const { steps, streams: loaded, errors } = await readSteps(streams)
    expect(errors).toEqual([])
    const own = toTypesFile(steps, { streams: loaded })
    expect(own).toBe(readFileSync(join(streams, 'types.d.ts'), 'utf8'))
    const motia = toTypesFile(steps, { module: 'motia', streams: loaded })
    expect(motia).toContain("import type { ApiResponse, ApiRouteHandler, CronHandler, EventHandler, MotiaStream } from 'motia'")
    expect(motia).toContain("declare module 'motia' {\n  interface FlowContextStateStreams {\n    'strict': MotiaStream<{ title: string; count: number }>\n    'todo': MotiaStream<{ id?: string; title: string; done?: boolean }>\n  }")
  })
})
