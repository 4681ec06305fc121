/**
 * Type tests: `tsc --noEmit` (the first half of `npm test`) checks every expectTypeOf below; vitest
 * runs them too, where they are no-ops. A wrong type here fails the type check, so the run fails.
 */
import type { ApiResponse, EmitOptions, FlowContext, Handler, Handlers } from 'motia-like'
import { defineStep } from 'motia-like'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'

type InputOf<THandler> = THandler extends (input: infer TInput, ctx: FlowContext<never>) => unknown ? TInput : never
type ContextOf<THandler> = THandler extends (first: never, ctx: infer TContext extends FlowContext<never>) => unknown ? TContext : never
type EmitArgument<THandler> = Parameters<ContextOf<THandler>['emit']>[0]

describe("generated types.d.ts: Handlers['StepName'] (test/fixtures/typed)", () => {
  it('types an event handler input from its zod schema, as emitted (a default leaves the field optional)', () => {
    expectTypeOf<InputOf<Handlers['TypedWelcome']>>().toEqualTypeOf<{ email: string; plan?: 'free' | 'pro' }>()
  })

  it('types an event handler input from a plain JSON Schema', () => {
    expectTypeOf<InputOf<Handlers['TypedAudit']>>().toEqualTypeOf<{ id: string; tags?: string[] }>()
  })

  it("types an API handler's req.body and responses per status", () => {
    type Request = Parameters<Handlers['TypedSignup']>[0]
    expectTypeOf<Request['body']>().toEqualTypeOf<{ email: string; age?: number }>()
    type Response = Awaited<ReturnType<Handlers['TypedSignup']>>
    expectTypeOf<Response>().toEqualTypeOf<ApiResponse<201, { id: string; team: string }> | ApiResponse<409, { error: string }>>()
    expectTypeOf<Parameters<Handlers['TypedGetUser']>[0]['body']>().toEqualTypeOf<Record<string, unknown>>()
  })

  it("types emit per topic as the union of the subscribers' inputs", () => {
    type Sent = { topic: 'typed.user.created'; data: { id: string; tags?: string[] } | { email: string; plan?: 'free' | 'pro' } }
    expectTypeOf<EmitArgument<Handlers['TypedSignup']>>().toEqualTypeOf<Sent & EmitOptions>()
    const emit = {} as ContextOf<Handlers['TypedSignup']>['emit']
    expectTypeOf(emit).toBeCallableWith({ topic: 'typed.user.created', data: { id: 'u1' }, delay: 10 })
    // @ts-expect-error a topic the step does not declare
    expectTypeOf(emit).toBeCallableWith({ topic: 'typed.other', data: { id: 'u1' } })
    // @ts-expect-error data no subscriber accepts
    expectTypeOf(emit).toBeCallableWith({ topic: 'typed.user.created', data: { id: 1 } })
  })

  it('types the emits of a cron step (not never)', () => {
    type Sent = { topic: 'typed.digest.ready'; data: { count: number; period: 'day' | 'week' } }
    type Context = Parameters<Handlers['TypedDigest']>[0]
    expectTypeOf<Parameters<Context['emit']>[0]>().toEqualTypeOf<Sent & EmitOptions>()
    expectTypeOf<Parameters<Context['emit']>[0]>().not.toBeNever()
  })

  it('makes emit uncallable on a step that declares no emits', () => {
    expectTypeOf<EmitArgument<Handlers['TypedWelcome']>>().toBeNever()
  })
})

describe('defineStep and Handler<typeof config>: inference without generated files', () => {
  it('infers an event input from zod and limits emit to the declared topics', () => {
    defineStep(
      {
        type: 'event',
        name: 'InferSendEmail',
        subscribes: ['user.created'],
        emits: ['email.sent', { topic: 'email.failed', label: 'on error' }],
        input: z.object({ email: z.string(), retries: z.number().default(0) }),
      },
      async (input, { emit }) => {
        expectTypeOf(input).toEqualTypeOf<{ email: string; retries?: number }>()
        expectTypeOf(emit).toBeCallableWith({ topic: 'email.sent', data: { to: input.email } })
        expectTypeOf(emit).toBeCallableWith({ topic: 'email.failed', data: null, delay: 1000 })
        // @ts-expect-error a topic missing from emits
        expectTypeOf(emit).toBeCallableWith({ topic: 'email.bounced', data: null })
      },
    )
  })

  it('infers req.body from bodySchema as sent, req.parsedBody as parsed (defaults filled in), and checks responses against responseSchema', () => {
    const step = defineStep(
      {
        type: 'api',
        name: 'InferSignup',
        method: 'POST',
        path: '/infer/signup',
        bodySchema: z.object({ email: z.string(), plan: z.enum(['free', 'pro']).default('free') }),
        responseSchema: { 201: z.object({ id: z.string() }), 400: z.object({ error: z.string() }) },
        emits: [],
      },
      async (req) => {
        expectTypeOf(req.body).toEqualTypeOf<{ email: string; plan?: 'free' | 'pro' | undefined }>()
        expectTypeOf(req.parsedBody).toEqualTypeOf<{ email: string; plan: 'free' | 'pro' } | undefined>()
        return req.body.email ? { status: 201, body: { id: 'u1' } } : { status: 400, body: { error: 'email required' } }
      },
    )
    expectTypeOf(step.config.name).toEqualTypeOf<'InferSignup'>()
    type Response = Awaited<ReturnType<typeof step.handler>>
    expectTypeOf<Response>().toEqualTypeOf<ApiResponse<201, { id: string }> | ApiResponse<400, { error: string }>>()
    defineStep(
      { type: 'api', name: 'InferWrong', method: 'GET', path: '/w', responseSchema: { 200: z.object({ ok: z.boolean() }) } },
      // @ts-expect-error a body that does not match responseSchema[200]
      async () => ({ status: 200, body: { ok: 'yes' } }),
    )
  })

  it('gives a batch step an array of inputs', () => {
    defineStep(
      {
        type: 'event',
        name: 'InferBatch',
        subscribes: ['analytics.event'],
        emits: [],
        input: z.object({ tenant: z.string() }),
        infrastructure: { queue: { batch: { maxSize: 100, timeoutMs: 2_000, key: 'tenant' } } },
      },
      async (inputs) => {
        expectTypeOf(inputs).toEqualTypeOf<Array<{ tenant: string }>>()
      },
    )
  })

  it('types a cron step that emits', () => {
    defineStep({ type: 'cron', name: 'InferNightly', cron: '0 2 * * *', emits: ['report.ready'] }, async ({ emit }) => {
      expectTypeOf(emit).parameter(0).toHaveProperty('topic').toEqualTypeOf<'report.ready'>()
      await emit({ topic: 'report.ready', data: { day: 1 } })
    })
  })

  it('types a handler from `as const satisfies` and Handler<typeof config>', () => {
    const config = {
      type: 'event',
      name: 'InferSatisfies',
      subscribes: ['order.paid'],
      emits: ['order.shipped'],
      input: z.object({ orderId: z.string() }),
    } as const satisfies Parameters<typeof defineStep>[0]
    const handler: Handler<typeof config> = async (input, { emit }) => {
      expectTypeOf(input).toEqualTypeOf<{ orderId: string }>()
      await emit({ topic: 'order.shipped', data: input })
    }
    expectTypeOf(handler).parameter(0).toEqualTypeOf<{ orderId: string }>()
  })
})
