import { MotiaError } from '../errors.ts'

/** How an OTLP signal is sent: JSON or protobuf over HTTP. */
export type OtlpProtocol = 'http/json' | 'http/protobuf'

/** What the standard `OTEL_*` variables ask for; null when nothing is to be exported. */
export interface OtelSettings {
  traces: OtlpProtocol | null
  metrics: OtlpProtocol | null
}

type Env = Record<string, string | undefined>

const protocols: readonly string[] = ['http/json', 'http/protobuf']

function set(env: Env, name: string): boolean {
  const value = env[name]
  return value !== undefined && value.trim() !== ''
}

/** The protocol of one signal: its own variable, else the shared one, else http/protobuf (the OTLP default). */
function protocolOf(env: Env, signal: 'TRACES' | 'METRICS'): OtlpProtocol {
  const name = set(env, `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) ? `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL` : 'OTEL_EXPORTER_OTLP_PROTOCOL'
  const value = (env[name] ?? '').trim() || 'http/protobuf'
  if (!protocols.includes(value)) {
    throw new MotiaError('CONFIG_INVALID', `${name} is "${value}", which motia-like does not export over. Set it to http/protobuf or http/json.`)
  }
  return value as OtlpProtocol
}

/** One signal is on when an OTLP endpoint is set for it and its exporter variable is not `none`. */
function signal(env: Env, name: 'TRACES' | 'METRICS'): OtlpProtocol | null {
  if (!set(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') && !set(env, `OTEL_EXPORTER_OTLP_${name}_ENDPOINT`)) return null
  if (env[`OTEL_${name}_EXPORTER`]?.trim() === 'none') return null
  return protocolOf(env, name)
}

/** Reads the `OTEL_*` variables: null (export nothing, load nothing) unless an OTLP endpoint is set and the SDK is not disabled. */
export function toOtelSettings(env: Env): OtelSettings | null {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return null
  const settings = { traces: signal(env, 'TRACES'), metrics: signal(env, 'METRICS') }
  return settings.traces || settings.metrics ? settings : null
}
