import { z } from 'zod'

/** `cors` in `motia-like.config.ts`: which browser origins may call the API steps. Off when absent. */
export interface CorsSettings {
  /** Origins allowed to call the API, such as `http://localhost:5173`, or `'*'` for any origin (as Motia allows). */
  origins: '*' | readonly string[]
  /** Methods a preflight allows; default GET, HEAD, PUT, PATCH, POST, DELETE. */
  methods?: readonly string[]
  /** Let the browser send cookies and auth headers (`Access-Control-Allow-Credentials`); needs listed origins. */
  credentials?: boolean
  /** Request headers a preflight allows; default: the ones the browser asks for. */
  allowedHeaders?: readonly string[]
  /** Response headers the page may read besides the simple ones; default `x-trace-id`. */
  exposedHeaders?: readonly string[]
  /** Seconds a browser may cache a preflight answer. */
  maxAge?: number
}

const origin = z
  .string()
  .regex(/^https?:\/\/[^/\s]+$/, 'is an origin such as "http://localhost:5173": scheme, host and port, no path')

/** The schema of `cors` in the project config. */
export const corsSettingsSchema = z
  .strictObject({
    origins: z.union([z.literal('*'), z.array(origin).min(1, 'lists at least one origin, or is "*"')]),
    methods: z.array(z.string().regex(/^[A-Za-z]+$/, 'is an HTTP method such as "POST"')).min(1).optional(),
    credentials: z.boolean().optional(),
    allowedHeaders: z.array(z.string().min(1)).optional(),
    exposedHeaders: z.array(z.string().min(1)).optional(),
    maxAge: z.number().int().min(0).optional(),
  })
  .refine((settings) => !(settings.credentials && settings.origins === '*'), {
    message: 'credentials: true needs the origins listed, as browsers refuse credentials with "*"',
    path: ['credentials'],
  })
