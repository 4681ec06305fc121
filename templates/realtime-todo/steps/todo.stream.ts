import type { StreamConfig } from 'motia-like'
import { z } from 'zod'

export const taskSchema = z.object({
  id: z.string(),
  title: z.string().min(1),
  done: z.boolean(),
  createdAt: z.string(),
})

export type Task = z.infer<typeof taskSchema>

/** The tasks of a board, pushed live to every page that shows the board. */
export const config = {
  name: 'tasks',
  schema: taskSchema,
  baseConfig: { storageType: 'default' },
  // Every item written with set() is checked against the schema.
  validate: true,
} satisfies StreamConfig
