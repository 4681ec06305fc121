/** Test helpers of motia-like (`motia-like/testing`): a mock handler context, and a whole project in-process. */
export { createMockContext } from './create-mock-context.ts'
export type { MockContext, MockContextOptions, MockState, MockStream, MockStreams } from './create-mock-context.ts'
export { createTester } from './create-tester.ts'
export type { EmittedEvent, Tester, TesterOptions } from './create-tester.ts'
export type { TestRequestOptions, TestResponse } from './request-step.ts'
export type { TestStreamSubscription } from './stream-watch.ts'
export type { StreamFrame, StreamFrameEvent } from '../streams/stream-frame.ts'
