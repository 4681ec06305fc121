import { z } from 'zod'
import { MotiaError } from '../errors.ts'
import type { StreamAuthConfig } from '../streams/stream-types.ts'
import type { ProjectConfig } from './define-config.ts'
import type { LoadedMotiaConfig } from './motia-config.ts'

/** `streamAuth` as the config files may give it. */
export const streamAuthSchema = z.object({
  authenticate: z.custom<StreamAuthConfig['authenticate']>((value) => typeof value === 'function', 'must be a function ({ headers, url }) => authContext'),
  contextSchema: z.object({}).passthrough().optional(),
})

/**
 * Stream authentication: `streamAuth` of `motia-like.config.ts`, else of a Motia project's
 * `motia.config.ts`, else none (streams are open, as in Motia). A malformed one is an error naming the file.
 */
export function toStreamAuth(config: ProjectConfig, motia: LoadedMotiaConfig | undefined): StreamAuthConfig | undefined {
  if (config.streamAuth) return config.streamAuth
  const given = motia?.config.streamAuth
  if (!motia || given === undefined) return undefined
  const parsed = streamAuthSchema.safeParse(given)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new MotiaError('CONFIG_INVALID', `${motia.file}: streamAuth.${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}. Fix it, or remove streamAuth to leave streams open.`)
  }
  return given as StreamAuthConfig
}
