/**
 * Handler types of this project, generated from its step files by `motia-like generate types`.
 * `motia-like dev` keeps it current; do not edit it by hand.
 */
import type { ApiResponse, ApiRouteHandler, CronHandler, EventHandler } from 'motia-like'

declare module 'motia-like' {
  interface Handlers {
    'DailyReport': CronHandler<never>
    'Greet': EventHandler<{ name: string }, never>
    'SayHello': ApiRouteHandler<{ name: string }, ApiResponse<202, { queued: boolean }>, { topic: 'greeting.requested'; data: { name: string } }>
  }
}
