/**
 * Handler types of this project, generated from its step files by `motia-like generate types`.
 * `motia-like dev` keeps it current; do not edit it by hand.
 */
import type { ApiResponse, ApiRouteHandler, CronHandler, EventHandler, MotiaStream } from 'motia-like'

declare module 'motia-like' {
  interface FlowContextStateStreams {
    'tasks': MotiaStream<{ id: string; title: string; done: boolean; createdAt: string }>
  }
  interface Handlers {
    'AnnounceTask': EventHandler<{ board: string; id: string; title: string }, never>
    'CreateTask': ApiRouteHandler<{ title: string }, ApiResponse, { topic: 'task.created'; data: { board: string; id: string; title: string } }>
    'DeleteTask': ApiRouteHandler<Record<string, unknown>, ApiResponse, never>
    'Page': ApiRouteHandler<Record<string, unknown>, ApiResponse, never>
    'ToggleTask': ApiRouteHandler<Record<string, unknown>, ApiResponse, never>
  }
}
